"""Region names: Access Analyzer's ``INVALID_ARN_REGION`` (an ARN's Region field) and ``INVALID_REGION`` (a value of
``aws:RequestedRegion``), "IAM Access Analyzer policy check reference".

A name is a Region when it fits the Region pattern of an AWS partition as botocore's endpoint data gives it
(``aws``: ``^(us|eu|ap|sa|ca|me|af|il|mx)-\\w+-\\d+$``; ``aws-cn``, ``aws-us-gov``, the ISO partitions, ...):
the pattern, not the list, so a Region newer than the installed botocore still passes. Names with wildcards or
policy variables are patterns, not checked.

>>> [is_region(r) for r in ("eu-west-1", "cn-north-1", "us-gov-west-1", "eu-west", "europe-west1")]
[True, True, True, False, False]
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: Condition keys whose values are Region names.
REGION_KEYS = frozenset({"aws:requestedregion"})


@cache
def _endpoints() -> dict[str, Any]:
    """botocore's endpoint data, read once (botocore imported here: most lint runs never ask)."""
    from botocore.loaders import create_loader

    data: dict[str, Any] = create_loader().load_data("endpoints")
    return data


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    data = _endpoints()
    return tuple(re.compile(partition["regionRegex"]) for partition in data["partitions"])


@cache
def dns_suffixes() -> tuple[str, ...]:
    """The partitions' DNS suffixes (``amazonaws.com``, ``amazonaws.com.cn``, ``c2s.ic.gov`` ...), which end their
    service principals, longest first."""
    data = _endpoints()
    return tuple(sorted({partition["dnsSuffix"] for partition in data["partitions"]}, key=len, reverse=True))


def is_region(name: str) -> bool:
    return any(pattern.match(name) for pattern in _patterns())


def is_pattern(text: str) -> bool:
    """Holds a wildcard or a policy variable: matched, not named."""
    return "*" in text or "?" in text or "${" in text
