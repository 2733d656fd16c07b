"""Lint the AWS managed policies that moto ships, as identity policies, and print how many findings each issue code
gets: the measure of the linter against real documents AWS publishes (docs/lint.md, "Checked against AWS's own
policies"). Every finding on an AWS policy is a false positive until shown otherwise.

    .venv/bin/python scripts/lint_aws_managed_policies.py              # counts per code, and the time taken
    .venv/bin/python scripts/lint_aws_managed_policies.py --show CODE  # each finding of CODE: policy, path, message
    .venv/bin/python scripts/lint_aws_managed_policies.py --policy NAME  # every finding on one policy
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from moto.iam.aws_managed_policies import aws_managed_policies_data

from iamwarden.policy.catalogue import catalogue
from iamwarden.policy.lint import RULES, Finding, lint_policy_text


def managed_policies() -> dict[str, str]:
    """Name -> policy document text, as moto ships them."""
    raw = json.loads(aws_managed_policies_data)
    return {name: json.dumps(entry["Document"], indent=1) for name, entry in sorted(raw.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", metavar="CODE", help="list each finding of this issue code")
    parser.add_argument("--policy", metavar="NAME", help="list every finding on this policy")
    args = parser.parse_args()

    policies = managed_policies()
    cat = catalogue()
    cat.load_all()
    start = time.perf_counter()
    findings: list[Finding] = []
    flagged: dict[str, set[str]] = {}
    for name, text in policies.items():
        for finding in lint_policy_text(text, policy_type="identity", source=name, cat=cat):
            findings.append(finding)
            flagged.setdefault(finding.code, set()).add(name)
    elapsed = time.perf_counter() - start

    if args.show or args.policy:
        for f in findings:
            if (args.show is None or f.code == args.show) and (args.policy is None or f.source == args.policy):
                print(f"{f.source}: {f.code} {f.path}: {f.message}")
        return
    counts = Counter(f.code for f in findings)
    print(f"{len(policies)} AWS managed policies (moto), linted as identity policies in {elapsed:.1f} s")
    print(f"{'code':<58} {'kind':<17} {'findings':>8} {'policies':>8}")
    for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"{code:<58} {RULES[code].kind:<17} {n:>8} {len(flagged[code]):>8}")
    print(f"{'total':<58} {'':<17} {sum(counts.values()):>8} {len(set().union(*flagged.values())):>8}")


if __name__ == "__main__":
    main()
