# iamwarden — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Scan the bundled demo account (and the history of its leaky repository) and write the reports to demo-output/;
## record it and a changed copy in demo-output/history.sqlite, and show what changed between them; then scan the demo
## organization into demo-output/org/ and show its cross-account paths. Each step prints a short summary (the account
## scan in full, its failures capped by --show 5) and writes the rest to demo-output/: under 100 lines at 80 columns
demo: $(STAMP)
	@echo "== 1/5 secrets in a demo repository's history (demo-output/secrets.json)"
	@$(BIN)/python scripts/build_demo_repo.py demo-output/northwind-reporting > /dev/null
	@$(BIN)/iamwarden secrets scan demo-output/northwind-reporting --history --snapshot demo/demo-account.json.gz \
		--format console,json --output demo-output/secrets.json --quiet
	@echo '== 2/5 scan of the demo account (every failure: demo-output/report.html)'
	@$(BIN)/iamwarden scan --snapshot demo/demo-account.json.gz --secrets demo-output/secrets.json \
		--output-dir demo-output --show 5
	@echo '== 3/5 detections in its CloudTrail (every alert: demo-output/alerts.txt)'
	@$(BIN)/iamwarden detect demo/demo-trail.json --snapshot demo/demo-account.json.gz --format console,jsonl \
		--output demo-output/alerts.jsonl > demo-output/alerts.txt
	@awk 'NF == 0 { exit } { print }' demo-output/alerts.txt  # its summary (wrapped at 80 columns)
	@echo '== 4/5 record it and a changed copy; what changed (demo-output/changes.txt)'
	@rm -f demo-output/history.sqlite
	@$(BIN)/python scripts/demo_change.py demo/demo-account.json.gz demo-output/demo-account-changed.json.gz
	@$(BIN)/iamwarden scan --snapshot demo/demo-account.json.gz --secrets demo-output/secrets.json --record \
		--db demo-output/history.sqlite --quiet > /dev/null  # its summary line is step 2's last but one
	@$(BIN)/iamwarden scan --snapshot demo-output/demo-account-changed.json.gz --secrets demo-output/secrets.json \
		--record --db demo-output/history.sqlite --quiet
	@$(BIN)/iamwarden diff 444455556666@previous 444455556666@latest --db demo-output/history.sqlite \
		--format console,html --output demo-output/changes.html > demo-output/changes.txt
	@awk 'NF == 0 { exit } { print }' demo-output/changes.txt
	@echo '== 5/5 the demo organization (demo-output/org/, its paths: org/paths.txt)'
	@$(BIN)/iamwarden scan demo/demo-org --output-dir demo-output/org --quiet
	@$(BIN)/iamwarden paths --bundle demo/demo-org > demo-output/org/paths.txt
	@awk 'NF == 0 { exit } { print }' demo-output/org/paths.txt

## Lint, type-check and run the test suite
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) demo-output .mypy_cache .pytest_cache .ruff_cache
