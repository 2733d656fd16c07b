"""Matching the ``Action``, ``Resource`` and ``Principal`` elements against a request.

Rules, from the IAM User Guide ("IAM JSON policy elements: Action / Resource / Principal"):

- **Actions** are ``service:Action`` and match case-insensitively; ``*`` matches any run of characters and ``?`` any one
  character (``s3:Get*``, ``iam:*AccessKey*``); ``*`` alone matches every action. Patterns are compiled once to a fast
  path (every action, one service, one exact name, a prefix) or a regular expression.
- **Resources** are ARNs, matched case-sensitively. An ARN has six colon-separated parts
  (``arn:partition:service:region:account:resource``); wildcards in the first five parts stay inside their part,
  in the last part they match anything (``/`` and ``:`` included). ``*`` alone matches every resource. Policy variables
  (``${aws:username}``) are substituted first; their values match literally.
- **Principals** are never wildcarded except ``"*"`` (everyone). An account id or ``arn:aws:iam::ACCOUNT:root``
  names the account: any principal of it (the account then decides with its own identity policies). A role ARN
  matches that role's sessions (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``); a session ARN matches only that
  session. ``Service``, ``Federated`` and ``CanonicalUser`` name those principals exactly.

Example::

    >>> ActionPattern.compile("s3:Get*").matches("s3:getobject")
    True
    >>> ResourcePattern.compile("arn:aws:s3:::bucket/*").matches("arn:aws:s3:::bucket/a/b.txt", {})
    True
    >>> ResourcePattern.compile("arn:aws:ec2:*:111122223333:instance/*").matches(
    ...     "arn:aws:ec2:us-east-1:111122223333:instance/i-1", {})
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal as TypingLiteral

from iamwarden.policy.variables import Context, Literal, Template, Variable, parse_template, variable_value

# --------------------------------------------------------------------------------------------------------------
# Wildcard text


def glob_to_regex(text: str) -> str:
    """``*`` -> any run of characters, ``?`` -> any one character, everything else literal."""
    out: list[str] = []
    for ch in text:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def has_wildcards(text: str) -> bool:
    return "*" in text or "?" in text


# --------------------------------------------------------------------------------------------------------------
# Actions

ActionKind = TypingLiteral["all", "service", "exact", "prefix", "regex"]


@dataclass(frozen=True, slots=True)
class ActionPattern:
    """One ``Action`` / ``NotAction`` value, compiled. ``service`` is the lower-cased service prefix when the pattern
    names one service without wildcards in it (``s3`` for ``s3:Get*``), else ``None``."""

    raw: str
    kind: ActionKind
    text: str
    service: str | None
    regex: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, raw: str) -> ActionPattern:
        low = raw.lower()
        if low == "*":
            return cls(raw, "all", low, None)
        svc, _, name = low.partition(":")
        service = None if has_wildcards(svc) else svc
        if service is not None and name == "*":
            return cls(raw, "service", svc, service)
        if not has_wildcards(low):
            return cls(raw, "exact", low, service)
        body = low[:-1]
        if low.endswith("*") and not has_wildcards(body):
            return cls(raw, "prefix", body, service)
        return cls(raw, "regex", low, service, re.compile(glob_to_regex(low), re.DOTALL))

    def matches(self, action: str) -> bool:
        """``action`` must already be lower-cased (``Request`` does it once)."""
        kind = self.kind
        if kind == "exact":
            return action == self.text
        if kind == "all":
            return True
        if kind == "service":
            return action.startswith(self.text) and action[len(self.text) : len(self.text) + 1] == ":"
        if kind == "prefix":
            return action.startswith(self.text)
        assert self.regex is not None
        return self.regex.fullmatch(action) is not None


def action_matches_any(patterns: Iterable[ActionPattern], action: str) -> bool:
    return any(p.matches(action) for p in patterns)


# --------------------------------------------------------------------------------------------------------------
# Resources (and ARN conditions)


def _fragments(template: Template, mode: TypingLiteral["arn", "glob"]) -> tuple[str | Variable, ...]:
    """The template rendered to regular-expression text once; variables stay in place, to be escaped in later.

    ``arn`` mode: wildcards stay inside their colon-separated part for the first five parts and span anything in the
    sixth (a pattern with fewer than six parts is plain wildcard text). ``glob`` mode: wildcards span anything.
    """
    colons = sum(p.text.count(":") for p in template.parts if isinstance(p, Literal))
    segmented = mode == "arn" and colons >= 5
    out: list[str | Variable] = []
    seg = 0
    for part in template.parts:
        if isinstance(part, Variable):
            out.append(part)
            continue
        if not part.wildcards:
            out.append(re.escape(part.text))
            continue
        buf: list[str] = []
        for ch in part.text:
            if ch == ":":
                seg += 1
                buf.append(":")
            elif ch == "*":
                buf.append("[^:]*" if segmented and seg < 5 else ".*")
            elif ch == "?":
                buf.append("[^:]" if segmented and seg < 5 else ".")
            else:
                buf.append(re.escape(ch))
        out.append("".join(buf))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class WildcardTemplate:
    """A wildcard pattern (ARN or plain), compiled once. Without variables it is one regular expression; with
    variables their values are escaped into the pre-rendered text per request (remembered per set of values)."""

    fragments: tuple[str | Variable, ...]
    static: re.Pattern[str] | None
    cache: dict[tuple[str, ...], re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def compile(cls, template: Template, mode: TypingLiteral["arn", "glob"]) -> WildcardTemplate:
        fragments = _fragments(template, mode)
        static = None
        if not template.has_variables:
            static = re.compile("".join(f for f in fragments if isinstance(f, str)), re.DOTALL)
        return cls(fragments, static)

    def regex(self, context: Context, missing: set[str] | None = None) -> re.Pattern[str] | None:
        """The expression with variables substituted from ``context``; ``None`` when one has no value (and default)."""
        if self.static is not None:
            return self.static
        values: list[str] = []
        for f in self.fragments:
            if isinstance(f, Variable):
                value = variable_value(f, context)
                if value is None:
                    if missing is not None:
                        missing.add(f.name or f.key)
                    return None
                values.append(value)
        key = tuple(values)
        rx = self.cache.get(key)
        if rx is None:
            it = iter(values)
            source = "".join(f if isinstance(f, str) else re.escape(next(it)) for f in self.fragments)
            if len(self.cache) > 1024:
                self.cache.clear()
            rx = re.compile(source, re.DOTALL)
            self.cache[key] = rx
        return rx


ResourceKind = TypingLiteral["all", "exact", "prefix", "regex", "template"]


@dataclass(frozen=True, slots=True)
class ResourcePattern:
    """One ``Resource`` / ``NotResource`` value (or ARN condition value), compiled."""

    raw: str
    kind: ResourceKind
    text: str
    template: Template
    regex: re.Pattern[str] | None = None
    wildcard: WildcardTemplate | None = None

    @classmethod
    def compile(cls, raw: str, *, variables: bool = True) -> ResourcePattern:
        template = parse_template(raw, enabled=variables)
        if template.has_variables:
            return cls(raw, "template", raw, template, wildcard=WildcardTemplate.compile(template, "arn"))
        if raw == "*":
            return cls(raw, "all", raw, template)
        literals = [p for p in template.parts if isinstance(p, Literal)]
        plain = "".join(p.text for p in literals)
        if not any(p.wildcards and has_wildcards(p.text) for p in literals):
            return cls(raw, "exact", plain, template)
        # a single trailing * in the resource part of a full ARN is a prefix test
        if len(template.parts) == 1 and raw.endswith("*") and not has_wildcards(raw[:-1]) and raw.count(":") >= 5:
            return cls(raw, "prefix", raw[:-1], template)
        return cls(raw, "regex", raw, template, WildcardTemplate.compile(template, "arn").static)

    def matches(self, resource: str, context: Context, missing: set[str] | None = None) -> bool:
        kind = self.kind
        if kind == "exact":
            return resource == self.text
        if kind == "all":
            return True
        if kind == "prefix":
            return resource.startswith(self.text)
        if kind == "regex":
            assert self.regex is not None
            return self.regex.fullmatch(resource) is not None
        assert self.wildcard is not None
        rx = self.wildcard.regex(context, missing)
        return rx is not None and rx.fullmatch(resource) is not None


ResourceCheck = Callable[[str, Context, set[str]], bool]
"""A statement's whole ``Resource`` / ``NotResource`` element as one test: (resource, context, missing) -> applies."""


def compile_resource_check(patterns: tuple[ResourcePattern, ...] | None, negated: bool) -> ResourceCheck | None:
    """The element's test, compiled once; ``None`` when the statement applies to every resource (no ``Resource``
    element, or ``"*"`` among the values of ``Resource``).

    Without variables the values are one set look-up, one ``startswith`` and one regular expression (their
    alternation); with variables the values are tried in order, and when the statement then does not apply the
    variables that had no value are added to ``missing`` (those of the values tried before a ``NotResource`` value
    matched)."""
    if patterns is None:
        return None
    if any(p.kind == "template" for p in patterns):

        def in_order(resource: str, context: Context, missing: set[str]) -> bool:
            local: set[str] = set()
            hit = False
            for pattern in patterns:
                if pattern.matches(resource, context, local):
                    hit = True
                    break
            if hit == negated:
                missing.update(local)
                return False
            return True

        return in_order
    if any(p.kind == "all" for p in patterns):
        return _never if negated else None
    exact = frozenset(p.text for p in patterns if p.kind == "exact")
    prefixes = tuple(p.text for p in patterns if p.kind == "prefix")
    regexes = [p.regex.pattern for p in patterns if p.kind == "regex" and p.regex is not None]
    if not prefixes and not regexes:
        if negated:
            return lambda resource, context, missing: resource not in exact
        return lambda resource, context, missing: resource in exact
    alternation = _dotall("|".join(f"(?:{r})" for r in regexes)).fullmatch if regexes else None

    def static(resource: str, context: Context, missing: set[str]) -> bool:
        hit = (
            resource in exact
            or (bool(prefixes) and resource.startswith(prefixes))
            or (alternation is not None and alternation(resource) is not None)
        )
        return hit != negated

    return static


@lru_cache(maxsize=16384)
def _dotall(source: str) -> re.Pattern[str]:
    """Compiled once per distinct expression: an account repeats its resource patterns across policies, more distinct
    ones than the ``re`` module's own cache of 512 holds."""
    return re.compile(source, re.DOTALL)


def _never(resource: str, context: Context, missing: set[str]) -> bool:
    return False


# --------------------------------------------------------------------------------------------------------------
# Principals

PrincipalKind = TypingLiteral[
    "user", "role", "assumed_role", "root", "federated_user", "service", "web_identity", "saml", "anonymous"
]

_IAM_ARN = re.compile(r"^arn:([a-z0-9-]+):(iam|sts)::(\d{12}):(.+)$")

WEB_IDENTITY_PROVIDERS = frozenset(
    {"cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"}
)

Key = tuple[str, ...]
"""A comparable identity: ("account", id) / ("role", account, name) / ("arn", arn) / ("service", name) / ..."""


def principal_value_key(value: str) -> Key:
    """The identity a ``Principal`` ``AWS`` value names: an account (id or root ARN), a role (by account and name: the
    path is not part of a session ARN), or an exact ARN."""
    if re.fullmatch(r"\d{12}", value):
        return ("account", value)
    m = _IAM_ARN.match(value)
    if m:
        service, account, rest = m.group(2), m.group(3), m.group(4)
        if service == "iam" and rest == "root":
            return ("account", account)
        if service == "iam" and rest.startswith("role/"):
            return ("role", account, rest.rsplit("/", 1)[-1])
    return ("arn", value)


@dataclass(frozen=True, slots=True)
class PrincipalInfo:
    """What the engine knows about the principal making a request, derived from its ARN or service name."""

    raw: str
    kind: PrincipalKind
    account: str | None = None
    partition: str = "aws"
    arn: str | None = None
    role_arn: str | None = None
    service_linked: bool = False
    own_key: Key = ()
    chain: tuple[Key, ...] = field(default=())

    @property
    def principal_type(self) -> str:
        """The value of ``aws:PrincipalType``."""
        return {
            "user": "User",
            "role": "AssumedRole",
            "assumed_role": "AssumedRole",
            "root": "Account",
            "federated_user": "FederatedUser",
            "service": "AWSService",
            "web_identity": "WebIdentityUser",
            "saml": "SAMLUser",
            "anonymous": "Anonymous",
        }[self.kind]

    @property
    def principal_arn(self) -> str | None:
        """The value of ``aws:PrincipalArn``: the role ARN for a role session, the principal's ARN otherwise."""
        if self.kind in ("role", "assumed_role"):
            return self.role_arn
        return self.arn

    @property
    def is_iam_principal(self) -> bool:
        """An IAM identity of an account (user, role session, root, federated user): SCPs can apply to it."""
        return self.kind in ("user", "role", "assumed_role", "root", "federated_user")


def parse_principal(raw: str) -> PrincipalInfo | None:
    """Classify a request principal; ``None`` when it is not a form the engine knows."""
    if raw in ("*", "anonymous"):
        return PrincipalInfo(raw, "anonymous", own_key=("anonymous",), chain=(("anonymous",),))
    m = _IAM_ARN.match(raw)
    if m:
        partition, service, account, rest = m.groups()
        root: Key = ("account", account)
        if service == "iam" and rest == "root":
            return PrincipalInfo(raw, "root", account, partition, raw, own_key=root, chain=(root,))
        if service == "iam" and rest.startswith("user/"):
            key: Key = ("arn", raw)
            return PrincipalInfo(raw, "user", account, partition, raw, own_key=key, chain=(root, key))
        if service == "iam" and rest.startswith("role/"):
            name = rest.rsplit("/", 1)[-1]
            slr = rest.startswith("role/aws-service-role/")
            rkey: Key = ("role", account, name)
            return PrincipalInfo(raw, "role", account, partition, raw, raw, slr, rkey, (root, rkey))
        if service == "sts" and rest.startswith("assumed-role/"):
            bits = rest.split("/")
            if len(bits) >= 3 and bits[1] and bits[2]:
                role_arn = f"arn:{partition}:iam::{account}:role/{bits[1]}"
                rkey = ("role", account, bits[1])
                skey: Key = ("arn", raw)
                slr = bits[1].startswith("AWSServiceRoleFor")
                return PrincipalInfo(
                    raw, "assumed_role", account, partition, raw, role_arn, slr, skey, (root, rkey, skey)
                )
            return None
        if service == "sts" and rest.startswith("federated-user/"):
            fkey: Key = ("arn", raw)
            return PrincipalInfo(raw, "federated_user", account, partition, raw, own_key=fkey, chain=(root, fkey))
        if service == "iam" and (rest.startswith("saml-provider/") or rest.startswith("oidc-provider/")):
            kind: PrincipalKind = "saml" if rest.startswith("saml-provider/") else "web_identity"
            pkey: Key = ("federated", raw)
            return PrincipalInfo(raw, kind, account, partition, raw, own_key=pkey, chain=(pkey,))
        return None
    if re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.[a-z0-9.-]+", raw.lower()):
        low = raw.lower()
        if low in WEB_IDENTITY_PROVIDERS:
            wkey: Key = ("federated", low)
            return PrincipalInfo(raw, "web_identity", own_key=wkey, chain=(wkey,))
        svc: Key = ("service", low)
        return PrincipalInfo(raw, "service", own_key=svc, chain=(svc,))
    return None


MatchKind = TypingLiteral["direct", "role", "account"]
"""How a ``Principal`` element matched: it named the principal itself (or ``*``), the role of a role session, or the
principal's account. The evaluation rules differ (a same-account resource policy that names the account defers to
the identity policies)."""


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal`` / ``NotPrincipal`` element, compiled."""

    wildcard: bool
    keys: frozenset[Key]
    values: tuple[tuple[str, str], ...]  # (type, value) for explanations

    @classmethod
    def compile(cls, entries: Iterable[tuple[str, str]]) -> PrincipalSpec:
        wildcard = False
        keys: set[Key] = set()
        values: list[tuple[str, str]] = []
        for kind, value in entries:
            values.append((kind, value))
            if value == "*" and kind in ("*", "AWS"):
                wildcard = True
            elif kind == "AWS":
                keys.add(principal_value_key(value))
            elif kind == "Service":
                keys.add(("service", value.lower()))
            elif kind == "Federated":
                keys.add(("federated", value.lower() if "." in value and not value.startswith("arn:") else value))
            elif kind == "CanonicalUser":
                keys.add(("canonical", value))
        return cls(wildcard, frozenset(keys), tuple(values))

    def match(self, principal: PrincipalInfo) -> MatchKind | None:
        """How this ``Principal`` element names ``principal``, or ``None`` if it does not."""
        if self.wildcard:
            return "direct"
        keys = self.keys
        if principal.own_key in keys:
            return "role" if principal.own_key[0] == "role" else "direct"
        if len(principal.chain) >= 3 and principal.chain[1] in keys:
            return "role"
        if principal.account is not None and ("account", principal.account) in keys:
            return "direct" if principal.kind == "root" else "account"
        if principal.raw.startswith("arn:") and principal.kind == "saml" and ("federated", principal.raw) in keys:
            return "direct"
        return None

    def excludes(self, principal: PrincipalInfo) -> bool:
        """For ``NotPrincipal``: the principal is left out only when every identity it acts as is listed (its account,
        its role, its session), as the IAM User Guide's NotPrincipal page warns."""
        if self.wildcard:
            return True
        return all(k in self.keys for k in principal.chain)
