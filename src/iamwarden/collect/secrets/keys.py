"""AWS credentials in bytes: access key ids, secret access keys and session tokens, found without ever keeping more of
them than the scan needs, and described masked.

What is found (docs/secrets.md):

* an **access key id**: ``AKIA`` (long-term, an IAM user's) or ``ASIA`` (temporary, from STS) and 16 upper-case
  letters or digits, not inside a longer run of them;
* a **secret access key**: 40 characters of base64 (``A-Za-z0-9/+``) with upper and lower case and at least
  ``min_entropy`` bits of Shannon entropy per character, *and* either written under a name AWS tools use
  (``aws_secret_access_key``, ``AWS_SECRET_ACCESS_KEY``, ``SecretAccessKey``, ``secret_key`` ...) or within
  :data:`PAIR_WINDOW` lines of an access key id. A lone 40-character string is not reported: hashes, ids and base64
  lines are far more common than secrets;
* a **session token**: 100 or more base64 characters under ``aws_session_token`` / ``AWS_SECURITY_TOKEN`` /
  ``SessionToken``, or any run starting the way STS tokens start (``IQoJb3JpZ2lu``, ``FwoGZXIvYXdz``,
  ``FQoGZXIvYXdz``, ``AQoDYXdz``: the base64 of their fixed first bytes).

A secret or token is paired with the nearest key id within :data:`PAIR_WINDOW` lines. Values containing
``EXAMPLE`` are the AWS documentation's examples (``AKIAIOSFODNN7EXAMPLE``, ``wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY``
and the like) and are marked so.

Only ASCII-compatible bytes are searched; :func:`text_bytes` turns UTF-16 and UTF-32 text into UTF-8 first and tells
binary content apart.

>>> [(c.kind, c.line, c.masked) for c in find_candidates(b"id = AKIAIOSFODNN7EXAMPLE\\n")]
[('access_key_id', 1, 'AKIA************MPLE')]
>>> account_of_key_id("ASIAY34FZKBOKMUTVV7A")
'609629065308'
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["access_key_id", "secret_access_key", "session_token"]

SECRET = re.compile(rb"(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")
_SEPARATOR = rb"[\"'`\]]?\s{0,4}(?:=>|:=|[=:]|\s)\s{0,4}[\"'`]?"
NAMED_SECRET = re.compile(
    rb"secret(?:[_.\-]?access)?[_.\-]?key(?:[_.\-]?id)?" + _SEPARATOR + rb"([a-z0-9/+]{40})(?![a-z0-9/+=])"
)
"""On the lower-cased text: a 40-character value right after a name AWS tools use for the secret
(``aws_secret_access_key = ...``, ``"SecretAccessKey": "..."``, ``AWS_SECRET_ACCESS_KEY: ...``, ``secret_key = "..."``
in Terraform, ``aws.secretKey=...``); the value is then read from the original text at the same place."""
NAMED_TOKEN = re.compile(rb"se(?:ssion|curity)[_.\-]?token" + _SEPARATOR + rb"([a-z0-9/+]{100,}={0,2})")
"""On the lower-cased text: ``aws_session_token``, ``AWS_SECURITY_TOKEN``, ``SessionToken`` and a long value."""
TOKEN_PREFIXES = (b"IQoJb3JpZ2lu", b"FwoGZXIvYXdz", b"FQoGZXIvYXdz", b"AQoDYXdz")
"""How STS session tokens start (the base64 of their first bytes), old and new formats."""
KEY_IDS = tuple(
    (prefix, re.compile(prefix + rb"(?<![A-Z0-9]" + prefix + rb")[A-Z0-9]{16}(?![A-Z0-9])"))
    for prefix in (b"AKIA", b"ASIA")
)
"""Access key ids, one pattern per prefix: each begins with its literal prefix, which the regular expression engine
finds fast (a pattern starting with an alternation or a look-behind is tried at every position)."""
PREFIXED_TOKENS = tuple(
    (prefix, re.compile(prefix + rb"(?<![A-Za-z0-9/+]" + prefix + rb")[A-Za-z0-9/+]{80,}={0,2}"))
    for prefix in TOKEN_PREFIXES
)
PAIR_WINDOW = 5
"""Lines between a key id and the secret (or token) it is paired with; also how close an unnamed secret must be."""
MIN_ENTROPY = 4.0
"""Default minimum Shannon entropy (bits per character) of a secret access key (a random one has about 4.9)."""

EXAMPLE_MARK = b"EXAMPLE"
DOCUMENTED_EXAMPLES = frozenset(
    {
        "AKIAIOSFODNN7EXAMPLE",
        "AKIAI44QH8DHBEXAMPLE",
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    }
)
"""Examples from the AWS documentation (IAM User Guide, CLI and STS references); any value holding ``EXAMPLE`` is
treated the same way."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One credential found in one blob of text. ``value`` is kept only to pair, attribute and fingerprint it: never
    print it (use :attr:`masked`)."""

    kind: Kind
    value: str
    line: int
    """1-based line of the blob."""
    column: int
    """1-based column (bytes of the UTF-8 text) where the value starts."""
    named: bool = False
    """Found under a name AWS tools use (``aws_secret_access_key`` ...)."""
    key_id: str | None = None
    """For a secret or token: the key id it is paired with (the nearest within :data:`PAIR_WINDOW` lines)."""

    @property
    def masked(self) -> str:
        return mask(self.value)

    @property
    def example(self) -> bool:
        return is_example(self.value)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.value)


def mask(value: str) -> str:
    """The first and last four characters, the rest as ``*`` (tokens: ``*`` capped at 12).

    >>> mask("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    'wJal********************************EKEY'
    """
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * min(len(value) - 8, 32)}{value[-4:]}"


def fingerprint(value: str) -> str:
    """A stable, one-way name of a value (``sha256:`` and 16 hex digits): reports and baselines refer to a secret by
    it, never by the secret itself."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:16]


def is_example(value: str) -> bool:
    return value in DOCUMENTED_EXAMPLES or "EXAMPLE" in value


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``'s own character distribution."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def looks_random(value: str, min_entropy: float) -> bool:
    """Upper and lower case letters and enough entropy: keeps hex hashes and words out."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and shannon_entropy(value) >= min_entropy


BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def is_possible_key_id(key_id: str) -> bool:
    """Whether an AWS key could have this id: after the prefix, AWS key ids are base32 (``A-Z2-7``; Aidan Steele,
    2020), so ``AKIATESTKEY000000001`` and the like are test fixtures.

    >>> is_possible_key_id("AKIAIOSFODNN7EXAMPLE"), is_possible_key_id("AKIADEPLOY0000000001")
    (True, False)
    """
    return set(key_id[4:]) <= BASE32


def account_of_key_id(key_id: str) -> str | None:
    """The AWS account id encoded in an access key id, decoded offline (no call, no secret), or ``None`` for keys of
    the older format that do not carry it.

    After the 4-character prefix the id is base32 (RFC 4648 alphabet). Bit 0 of the decoded bits says which
    generation the id is of (1: current); in current ids bits 1-40 are the account number. Published by Aidan
    Steele ("AWS Access Key ID formats", 2020), corrected by Tal Be'ery ("A short note on AWS KEY ID", 2023: the
    account is shifted by one bit) and confirmed on 3,000 ids by WithSecure Labs ("A bitwise analysis of AWS access
    key identifiers", 2023); their example pair is ``ASIAY34FZKBOKMUTVV7A`` -> ``609629065308``. AWS itself answers
    the same question with ``sts:GetAccessKeyInfo``.

    >>> account_of_key_id("AKIAIOSFODNN7EXAMPLE") is None  # old format (bit 0 is 0)
    True
    """
    body = key_id[4:]
    if len(body) != 16 or not set(body) <= BASE32:
        return None
    try:
        raw = base64.b32decode(body)
    except binascii.Error:
        return None
    bits = int.from_bytes(raw[:6], "big")
    if not bits >> 47 & 1:
        return None
    return f"{(bits & 0x7FFFFFFFFF80) >> 7:012d}"


# --- text of any encoding ----------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SNIFF = 8192
"""Bytes looked at to tell text from binary."""


def text_bytes(data: bytes) -> tuple[bytes | None, str]:
    """``(ascii_compatible_bytes, encoding)`` to search, or ``(None, "binary")``.

    UTF-8, Latin-1, the Windows code pages, Shift-JIS, EUC and the other ASCII-compatible encodings are searched as
    they are (the credentials are ASCII). UTF-16 and UTF-32 (with a byte order mark, or without one when every other
    byte of ASCII text is zero) are decoded and re-encoded as UTF-8. Anything else holding a zero byte is binary.
    """
    head = data[:SNIFF]
    for bom, name in _BOMS:
        if head.startswith(bom):
            if name == "utf-8":
                return data[len(bom) :], name
            return _reencode(data[len(bom) :], name)
    if b"\0" not in head:
        return data, "ascii-compatible"
    sample = head[: len(head) - len(head) % 4]
    for name, step, zero_offsets in (
        ("utf-32-le", 4, (1, 2, 3)),
        ("utf-32-be", 4, (0, 1, 2)),
        ("utf-16-le", 2, (1,)),
        ("utf-16-be", 2, (0,)),
    ):
        part = b"".join(sample[i::step] for i in zero_offsets)
        if part and part.count(0) >= 0.9 * len(part):
            return _reencode(data, name)
    return None, "binary"


def _reencode(data: bytes, encoding: str) -> tuple[bytes | None, str]:
    width = 4 if "32" in encoding else 2
    text = data[: len(data) - len(data) % width].decode(encoding, errors="replace")
    return text.encode("utf-8", errors="replace"), encoding


# --- the search ----------------------------------------------------------------------------------------------------


class _Lines:
    """Byte offset -> (line, column), by bisecting the offsets of the newlines (found once per blob, lazily)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._starts: list[int] | None = None

    def at(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            starts = [0]
            find = self.data.find
            i = find(b"\n")
            while i >= 0:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._starts = starts
        n = bisect_right(self._starts, offset)
        return n, offset - self._starts[n - 1] + 1


def _spans(pattern: re.Pattern[bytes], data: bytes, group: int = 0) -> Iterator[tuple[int, str]]:
    for m in pattern.finditer(data):
        yield m.start(group), m.group(group).decode("ascii")


def find_candidates(data: bytes, min_entropy: float = MIN_ENTROPY) -> list[Candidate]:
    """Every credential in ``data`` (ASCII-compatible bytes, see :func:`text_bytes`), in order of position, secrets
    and tokens paired with their key id."""
    key_spans = [span for prefix, pattern in KEY_IDS if prefix in data for span in _spans(pattern, data)]
    lower = data.lower()
    named_secrets = b"secret" in lower
    tokens_named = b"token" in lower
    token_prefixes = [(p, pattern) for p, pattern in PREFIXED_TOKENS if p in data]
    if not (key_spans or named_secrets or tokens_named or token_prefixes):
        return []
    lines = _Lines(data)
    key_ids = [(lines.at(o), v) for o, v in sorted(key_spans)]
    found: list[Candidate] = [Candidate("access_key_id", v, ln, col) for (ln, col), v in key_ids]
    key_lines = [(ln, v) for (ln, _), v in key_ids]

    def nearest(line: int, prefer_temporary: bool = False) -> str | None:
        best: tuple[int, int, str] | None = None
        for ln, value in key_lines:
            distance = abs(ln - line)
            if distance > PAIR_WINDOW:
                continue
            rank = (distance, 0 if (value.startswith("ASIA") or not prefer_temporary) else 1, value)
            if best is None or rank < best:
                best = rank
        return best[2] if best else None

    secrets: dict[int, Candidate] = {}
    for offset, _ in _spans(NAMED_SECRET, lower, 1) if named_secrets else ():
        value = data[offset : offset + 40].decode("ascii")
        if looks_random(value, min_entropy) or is_example(value):
            ln, col = lines.at(offset)
            secrets[offset] = Candidate("secret_access_key", value, ln, col, named=True, key_id=nearest(ln))
    if key_lines:
        for offset, value in _spans(SECRET, data):
            if offset in secrets or not (looks_random(value, min_entropy) or is_example(value)):
                continue
            ln, col = lines.at(offset)
            paired = nearest(ln)
            if paired is not None:
                secrets[offset] = Candidate("secret_access_key", value, ln, col, key_id=paired)
    found += secrets.values()
    tokens: dict[int, Candidate] = {}
    spans = [(o, len(v), True) for o, v in _spans(NAMED_TOKEN, lower, 1)] if tokens_named else []
    spans += [(o, len(v), False) for _, pattern in token_prefixes for o, v in _spans(pattern, data)]
    for offset, length, named in spans:
        if offset not in tokens:
            value = data[offset : offset + length].decode("ascii")
            ln, col = lines.at(offset)
            tokens[offset] = Candidate("session_token", value, ln, col, named=named, key_id=nearest(ln, True))
    found += tokens.values()
    found.sort(key=lambda c: (c.line, c.column))
    return found
