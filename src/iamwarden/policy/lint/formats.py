"""Identifier formats Access Analyzer checks ("IAM Access Analyzer policy check reference"): service principals
(Invalid service principal format: in a Principal's ``Service`` entries and as the values of the keys that hold a
service principal), VPC and VPC endpoint IDs (Invalid vpc format, Invalid vpce format).

A service principal is "usually in the following format in all lowercase letters: service-name.amazonaws.com";
``kms:ViaService`` takes ``service-name.region.amazonaws.com`` (the reference's section, and the AWS KMS guide's
kms:ViaService). Other partitions end them with their own DNS suffix (``amazonaws.com.cn``, ``c2s.ic.gov`` ...:
botocore's endpoint data, as for Regions) and a few services with ``.amazon.com`` (Alexa). Values with a
policy variable are left alone. A pattern (``*`` or ``?`` under a Like operator) is reported only when no principal
can match it: a character no principal holds (uppercase, a space ...), or an ending that is no principal's.
"""

from __future__ import annotations

import re
from functools import cache

from iamwarden.policy.lint.findings import Collector
from iamwarden.policy.lint.jsonpos import JScalar
from iamwarden.policy.lint.regions import dns_suffixes

_LABELS = r"[a-z0-9*?](?:[a-z0-9.*?-]*[a-z0-9*?])?"


@cache
def _formats() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    """(service principal, kms:ViaService value, the endings a principal may have)."""
    suffixes = (*dns_suffixes(), "amazon.com")
    ending = "(?:" + "|".join(re.escape(s) for s in suffixes) + r")\Z"
    service = re.compile(_LABELS + r"\." + ending)
    via_service = re.compile(r"[a-z0-9*?-]+\.[a-z0-9*?-]+\." + ending)
    return service, via_service, tuple("." + s for s in suffixes)


_ONLY_WILDCARDS = re.compile(r"[*?]+\Z")
_PATTERN_CHARS = re.compile(r"[a-z0-9.*?-]+\Z")

#: Condition keys whose values are service principals (lowercase): whether the value names a Region
#: (kms:ViaService) and the format the finding quotes.
SERVICE_PRINCIPAL_KEYS: dict[str, tuple[bool, str]] = {
    "aws:principalservicename": (False, "service-name.amazonaws.com"),
    "aws:principalservicenameslist": (False, "service-name.amazonaws.com"),
    "iam:passedtoservice": (False, "service-name.amazonaws.com"),
    "iam:awsservicename": (False, "service-name.amazonaws.com"),
    "kms:viaservice": (True, "service-name.region.amazonaws.com"),
}
#: aws:SourceVpc / aws:SourceVpce: the prefix and then 8 or 17 alphanumeric characters.
ID_KEYS: dict[str, tuple[re.Pattern[str], str, str]] = {
    "aws:sourcevpc": (re.compile(r"vpc-(?:[A-Za-z0-9]{8}|[A-Za-z0-9]{17})\Z"), "INVALID_VPC_FORMAT", "vpc-"),
    "aws:sourcevpce": (re.compile(r"vpce-(?:[A-Za-z0-9]{8}|[A-Za-z0-9]{17})\Z"), "INVALID_VPCE_FORMAT", "vpce-"),
}


def check_service_principal(value: JScalar, out: Collector, key: str = "") -> None:
    """A ``Service`` principal, or the value of the service-principal key ``key`` (lowercase)."""
    text = str(value.value)
    if "${" in text or _ONLY_WILDCARDS.match(text):
        return
    regional, expected = SERVICE_PRINCIPAL_KEYS.get(key, (False, "service-name.amazonaws.com"))
    service, via_service, endings = _formats()
    if "*" in text or "?" in text:
        fits = _PATTERN_CHARS.match(text) is not None and (text[-1] in "*?" or text.endswith(endings))
    else:
        fits = (via_service if regional else service).match(text) is not None
    if not fits:
        where = f"as a value of {key}" if key else "in Principal.Service"
        out.at(
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            value,
            f"{text!r} {where} is not a service principal: use the format {expected} (lowercase)",
        )


def check_value_format(key: str, family: str, values: list[JScalar], out: Collector) -> None:
    """The values of condition key ``key`` (lowercase) under an operator of ``family``."""
    if family != "String":
        return
    if key in SERVICE_PRINCIPAL_KEYS:
        for value in values:
            if isinstance(value.value, str):
                check_service_principal(value, out, key)
    elif key in ID_KEYS:
        pattern, code, prefix = ID_KEYS[key]
        for value in values:
            text = value.value
            if not isinstance(text, str) or "${" in text or "*" in text or "?" in text:
                continue
            if not pattern.match(text):
                out.at(code, value, f"{text!r} is not an ID of the form {prefix} and 8 or 17 alphanumeric characters")
