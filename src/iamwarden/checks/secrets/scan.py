"""Find AWS credentials in text (Lambda environment values, EC2 user data) and describe them without revealing them.

Masking and entropy are those of ``iamwarden secrets scan`` (:mod:`iamwarden.collect.secrets.keys`); unlike it, a
value here is judged alone (an environment variable or a line of user data has no file around it). An access key id
is ``AKIA`` (long-term) or ``ASIA`` (temporary) and 16 upper-case letters or digits. A secret access
key is 40 characters of base64 (``A-Za-z0-9/+``); to keep hashes and ids out, a candidate must have at least
``min_entropy`` bits of Shannon entropy per character and mix upper case, lower case and digits.

>>> [m.kind for m in find_credentials("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", 4.0)]
['access_key_id']
>>> mask_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
'wJal********************************EKEY'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from iamwarden.collect.secrets.keys import mask as mask_secret
from iamwarden.collect.secrets.keys import shannon_entropy

__all__ = ["KEY_ID", "SECRET", "CredentialMatch", "find_credentials", "mask_secret", "shannon_entropy"]

KEY_ID = re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])")
SECRET = re.compile(r"(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])")


@dataclass(frozen=True, slots=True)
class CredentialMatch:
    kind: str
    """``access_key_id`` or ``secret_access_key``."""
    value: str
    """The full match: never print it; use :attr:`masked`."""
    line: int
    entropy: float

    @property
    def masked(self) -> str:
        return mask_secret(self.value)


def _looks_random(candidate: str, min_entropy: float) -> bool:
    classes = sum(bool(re.search(p, candidate)) for p in ("[A-Z]", "[a-z]", "[0-9]"))
    return classes == 3 and shannon_entropy(candidate) >= min_entropy


def find_credentials(text: str, min_entropy: float) -> list[CredentialMatch]:
    """Every access key id and likely secret access key in ``text``, with its line number (1-based)."""
    found: list[CredentialMatch] = []
    for number, line in enumerate(text.splitlines() or [text], start=1):
        for m in KEY_ID.finditer(line):
            found.append(CredentialMatch("access_key_id", m.group(1), number, shannon_entropy(m.group(1))))
        for m in SECRET.finditer(line):
            candidate = m.group(1)
            if _looks_random(candidate, min_entropy):
                found.append(CredentialMatch("secret_access_key", candidate, number, shannon_entropy(candidate)))
    return found
