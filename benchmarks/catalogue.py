"""How long the action catalogue and the linter take: prints figures, asserts nothing.

.venv/bin/python benchmarks/catalogue.py
"""

from __future__ import annotations

import json
import time

from iamwarden.policy.catalogue import Catalogue
from iamwarden.policy.lint import lint_policy_text


def _timed(label: str, func: object) -> None:
    start = time.perf_counter()
    assert callable(func)
    func()
    print(f"{label:<48} {1000 * (time.perf_counter() - start):8.1f} ms")


def main() -> None:
    cat = Catalogue()
    _timed("first service (s3 actions)", lambda: cat.actions("s3"))
    _timed("load every service", cat.load_all)
    _timed("condition key index", lambda: cat.condition_key("s3:prefix"))
    _timed("ARN format index", cat.formats_by_arn_service)
    fresh = Catalogue()
    _timed("fresh catalogue: expand '*'", lambda: fresh.expand("*"))
    print("counts:", cat.counts())

    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [a.full_name for a in cat.actions("ec2")[:150]],
                    "Resource": [f"arn:aws:ec2:eu-west-1:111122223333:instance/i-{i:08x}" for i in range(50)],
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red", "ec2:Region": "eu-west-1"}},
                }
            ],
        },
        indent=2,
    )
    for run in ("first", "second"):
        _timed(
            f"lint a {len(policy):,}-character policy ({run} run)",
            lambda: lint_policy_text(policy, policy_type="identity", source="bench", cat=cat),
        )


if __name__ == "__main__":
    main()
