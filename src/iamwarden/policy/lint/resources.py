"""Resource checks: each ARN is well formed and fits an ARN format of the statement's actions; ARNs another entry
of the statement covers."""

from __future__ import annotations

import re
import weakref
from functools import lru_cache

from iamwarden.policy.catalogue import Catalogue
from iamwarden.policy.lint.actions import ResolvedActions
from iamwarden.policy.lint.findings import Collector, Statement
from iamwarden.policy.lint.regions import is_pattern, is_region

PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
_ACCOUNT = re.compile(r"[0-9]{12}\Z")
_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _loose(text: str) -> bool:
    """Contains a wildcard or a policy variable."""
    return "*" in text or "?" in text or "${" in text


def check_resources(st: Statement, resolved: ResolvedActions | None, cat: Catalogue, out: Collector) -> None:
    formats = _formats(st, resolved, cat)
    for entry in st.resources:
        arn = str(entry.value)
        if arn == "*":
            continue
        if not arn.startswith("arn:"):
            out.at("INVALID_ARN_PREFIX", entry, f'{arn!r} is not an ARN: it must start with "arn:" (or be "*")')
            continue
        glob = _glob_of_policy_arn(arn)
        parts = glob.split(":", 5)
        if len(parts) < 6:
            if not _loose(parts[-1]):
                out.at(
                    "MISSING_ARN_FIELD",
                    entry,
                    f"{arn!r} has {len(parts)} of the 6 fields arn:partition:service:region:account:resource",
                )
            continue
        _, partition, service, region, account, _resource = parts
        if partition not in PARTITIONS and not _loose(partition):
            out.at(
                "INVALID_PARTITION", entry, f"{partition!r} is not an AWS partition ({', '.join(sorted(PARTITIONS))})"
            )
            continue
        if service != service.lower():
            out.at("INVALID_ARN_SERVICE_CASE", entry, f"the service {service!r} in the ARN must be lowercase")
            continue
        if account and account != "aws" and not _loose(account) and not _ACCOUNT.match(account):
            out.at("INVALID_ARN_ACCOUNT", entry, f"the account {account!r} in the ARN is not a 12-digit account ID")
            continue
        if region and not is_pattern(region) and not is_region(region):
            out.at("INVALID_ARN_REGION", entry, f"{region!r} in {arn!r} is not an AWS Region")
            continue
        if not _loose(service):
            service_formats = cat.formats_by_arn_service().get(service)
            if service_formats is None:
                if not cat.has_service(service):  # a known service without listed resource types passes
                    out.at("INVALID_ARN_RESOURCE", entry, f"no service has ARNs with the service {service!r}")
                    continue
            elif not region:
                problem = _missing_field(cat, parts, service)
                if problem is not None:
                    out.at(problem[0], entry, problem[1])
                    continue
            if service_formats is not None and not _fits_service(cat, glob, service):
                code, message = _misfit(cat, parts, service) or (
                    "INVALID_ARN_RESOURCE",
                    f"{arn!r} fits the ARN format of no {service} resource type",
                )
                out.at(code, entry, message)
                continue
        elif _wildcard_service(arn):
            out.at(
                "WILDCARD_IN_SERVICE_NAME",
                entry,
                f"the service {service!r} in {arn!r} is a wildcard: it also matches services added later",
            )
        if formats and not _fits_any(glob, formats):
            out.at(
                "RESOURCE_NOT_USED_BY_ACTIONS",
                entry,
                f"{arn!r} is of no resource type the statement's actions act on, so it grants nothing here",
            )
    _redundant(st, out)


_FORMATS: weakref.WeakKeyDictionary[Catalogue, dict[tuple[str, ...], tuple[str, ...]]] = weakref.WeakKeyDictionary()


def _formats(st: Statement, resolved: ResolvedActions | None, cat: Catalogue) -> tuple[str, ...]:
    """The ARN formats (as globs) the statement's Resource entries should fit; empty when that cannot be known
    (NotAction, "*", an unknown action, an action that takes only "*"). Remembered per list of Action entries (the
    actions, hence the formats, depend on their texts alone)."""
    if resolved is None or not resolved.complete or resolved.has_star or st.action_key != "Action":
        return ()
    if st.resource_key != "Resource":
        return ()
    memo = _FORMATS.get(cat)
    if memo is None:
        memo = _FORMATS[cat] = {}
    key = tuple(str(entry.value) for entry, _ in resolved.entries)
    found = memo.get(key)
    if found is None:
        if len(memo) > 65536:
            memo.clear()
        found = memo[key] = _formats_of(resolved, cat)
    return found


@lru_cache(maxsize=65536)
def _fits_any(glob: str, formats: tuple[str, ...]) -> bool:
    return any(globs_intersect(glob, f) for f in formats)


_SERVICE_FITS: weakref.WeakKeyDictionary[Catalogue, dict[tuple[str, str], bool]] = weakref.WeakKeyDictionary()


def _fits_service(cat: Catalogue, glob: str, service: str) -> bool:
    """Whether the ARN glob fits some ARN format of ``service`` (which has formats), remembered per catalogue."""
    memo = _SERVICE_FITS.get(cat)
    if memo is None:
        memo = _SERVICE_FITS[cat] = {}
    hit = memo.get((glob, service))
    if hit is None:
        if len(memo) > 65536:
            memo.clear()
        formats = cat.formats_by_arn_service()[service]
        hit = memo[(glob, service)] = any(globs_intersect(glob, _VARIABLE.sub("*", f)) for f in formats)
    return hit


def _wildcard_service(arn: str) -> bool:
    """The ARN's service field, as written (not through a variable), holds a wildcard."""
    fields = arn.split(":", 3)
    return len(fields) > 3 and "${" not in fields[1] + fields[2] and any(ch in fields[2] for ch in "*?")


def _missing_field(cat: Catalogue, parts: list[str], service: str) -> tuple[str, str] | None:
    """An empty Region where every format the resource part fits has one."""
    region, resource = parts[3], parts[5]
    if region:
        return None
    fitted = False
    for fmt in cat.formats_by_arn_service()[service]:
        fields = fmt.split(":", 5)
        if not globs_intersect(resource, _VARIABLE.sub("*", fields[5])):
            continue
        if not fields[3]:
            return None  # a format without a Region fits
        fitted = True
    if fitted:
        return "MISSING_ARN_REGION", f"{service} ARNs of this resource type need a Region (or *)"
    return None


def _misfit(cat: Catalogue, parts: list[str], service: str) -> tuple[str, str] | None:
    """Why an ARN whose resource part fits a format of its service still fits none: a Region or account where the
    format has none (IAM, S3 buckets), or no Region where the format needs one."""
    _, _, _, region, account, resource = parts
    for fmt in cat.formats_by_arn_service()[service]:
        fields = fmt.split(":", 5)
        if not globs_intersect(resource, _VARIABLE.sub("*", fields[5])):
            continue
        if account and not fields[4]:
            return "ARN_ACCOUNT_NOT_ALLOWED", f"{service} ARNs of this resource type have no account: drop {account!r}"
        if region and not fields[3]:
            return "ARN_REGION_NOT_ALLOWED", f"{service} ARNs of this resource type have no Region: drop {region!r}"
        if not region and fields[3]:
            return "MISSING_ARN_REGION", f"{service} ARNs of this resource type need a Region (or *)"
    return None


def _formats_of(resolved: ResolvedActions, cat: Catalogue) -> tuple[str, ...]:
    globs: set[str] = set()
    for action in resolved.actions():
        formats = cat.arn_formats(action)
        if not formats:
            return ()
        globs.update(_VARIABLE.sub("*", f) for f in formats)
    return tuple(sorted(globs))


def _glob_of_policy_arn(arn: str) -> str:
    return _VARIABLE.sub("*", arn)


def _wild(glob: str) -> bool:
    return "*" in glob or "?" in glob


def _literal_prefix(glob: str) -> str:
    for i, ch in enumerate(glob):
        if ch in "*?":
            return glob[:i]
    return glob


@lru_cache(maxsize=8192)
def _glob_regex(glob: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.DOTALL)


@lru_cache(maxsize=65536)
def globs_intersect(a: str, b: str) -> bool:
    """Whether some string matches both IAM globs (``*`` any run, ``?`` one character).

    >>> globs_intersect("arn:aws:iam::*:*", "arn:*:iam::*:role/*")
    True
    >>> globs_intersect("arn:aws:s3:::bucket", "arn:*:s3:::*/*")
    False
    """
    if not _wild(a):
        return _glob_regex(b).fullmatch(a) is not None
    if not _wild(b):
        return _glob_regex(a).fullmatch(b) is not None
    prefix_a, prefix_b = _literal_prefix(a), _literal_prefix(b)
    n = min(len(prefix_a), len(prefix_b))
    if prefix_a[:n] != prefix_b[:n]:
        return False
    suffix_a, suffix_b = _literal_prefix(a[::-1]), _literal_prefix(b[::-1])
    n = min(len(suffix_a), len(suffix_b))
    if suffix_a[:n] != suffix_b[:n]:
        return False
    if "?" not in a and "?" not in b:
        # Both hold a "*" and no "?": with compatible ends they meet. The string (longer literal prefix) + (a's
        # literals between its stars) + (b's) + (longer literal suffix) matches both, each side's stars taking the
        # other side's parts.
        return True
    return _globs_meet(a, b)


def _globs_meet(a: str, b: str) -> bool:
    """Whether some string matches both globs, by search (any globs)."""
    # Reachability over pairs of positions (i in a, j in b): a "*" consumes nothing or one character of the other
    # side; two literals (or "?") consume one each when they can be the same character.
    end = (len(a), len(b))
    seen = {(0, 0)}
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state == end:
            return True
        i, j = state
        ca = a[i] if i < len(a) else ""
        cb = b[j] if j < len(b) else ""
        if ca == "*":
            steps: tuple[tuple[int, int], ...] = ((i + 1, j), (i, j + 1)) if cb else ((i + 1, j),)
        elif cb == "*":
            steps = ((i, j + 1), (i + 1, j)) if ca else ((i, j + 1),)
        elif ca and cb and (ca == cb or ca == "?" or cb == "?"):
            steps = ((i + 1, j + 1),)
        else:
            continue
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


@lru_cache(maxsize=65536)
def glob_covers(wide: str, narrow: str) -> bool:
    """Whether every string ``narrow`` matches, ``wide`` matches too (``narrow``'s wildcards must meet ``*`` or
    ``?`` in ``wide``).

    >>> glob_covers("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/logs/*")
    True
    >>> glob_covers("arn:aws:s3:::bucket/logs/*", "arn:aws:s3:::bucket/*")
    False
    """
    if not _wild(narrow):
        return _glob_regex(wide).fullmatch(narrow) is not None
    if not narrow.startswith(_literal_prefix(wide)):
        return False
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if j == len(wide):
            result = i == len(narrow)
        elif wide[j] == "*":
            result = go(i, j + 1) or (i < len(narrow) and go(i + 1, j))
        elif i == len(narrow) or narrow[i] == "*":
            result = False
        elif wide[j] == "?":
            result = go(i + 1, j + 1)
        else:
            result = narrow[i] == wide[j] and narrow[i] != "?" and go(i + 1, j + 1)
        memo[key] = result
        return result

    return go(0, 0)


def arn_covers(wide: str, narrow: str) -> bool:
    """Whether every resource ``narrow`` matches, ``wide`` matches too, with the engine's rule for Resource
    (:mod:`iamwarden.policy.matching`): wildcards in the first five parts of an ARN stay in their part, in the last
    part they match anything.

    >>> arn_covers("arn:aws:s3:::bucket-*", "arn:aws:s3:::bucket-*/*")
    True
    >>> arn_covers("arn:aws:logs:*:*:/aws/lambda/x*", "arn:aws:logs:*:*:log-group:/aws/lambda/x*")
    False
    """
    if wide == "*":
        return True
    wide_parts, narrow_parts = wide.split(":", 5), narrow.split(":", 5)
    if len(wide_parts) != 6 or len(narrow_parts) != 6:
        return wide == narrow
    return all(glob_covers(w, n) for w, n in zip(wide_parts, narrow_parts, strict=True))


def _redundant(st: Statement, out: Collector) -> None:
    entries = [(e, str(e.value)) for e in st.resources]
    element = st.resource_key or "Resource"
    for i, (entry, arn) in enumerate(entries):
        for j, (_, other) in enumerate(entries):
            if i == j:
                continue
            if (arn == other and j < i) or (arn != other and arn_covers(other, arn)):
                out.at("REDUNDANT_RESOURCE", entry, f"{arn!r} is covered by {other!r} in {element}")
                break
