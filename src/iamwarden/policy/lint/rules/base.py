"""The :class:`Rule` record and the two ways to write one: a check of Access Analyzer's, or one of ours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FindingKind = Literal["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"]

#: Kinds from least to most severe.
KIND_ORDER: tuple[FindingKind, ...] = ("SUGGESTION", "WARNING", "SECURITY_WARNING", "ERROR")

AA_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
_ANCHOR_KIND = {
    "ERROR": "error",
    "SECURITY_WARNING": "security-warning",
    "WARNING": "general-warning",
    "SUGGESTION": "suggestion",
}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    kind: FindingKind
    title: str
    help: str
    origin: Literal["access-analyzer", "iamwarden"]
    anchor: str = ""

    @property
    def help_uri(self) -> str | None:
        """The check's section of Access Analyzer's page for its codes; ours are described in docs/lint.md (no
        public URL yet)."""
        if self.origin != "access-analyzer":
            return None
        slug = self.anchor or self.title.lower().replace(" ", "-")
        return f"{AA_DOC}#access-analyzer-reference-policy-checks-{_ANCHOR_KIND[self.kind]}-{slug}"


def aa(code: str, kind: FindingKind, title: str, help_: str, anchor: str = "") -> Rule:
    """A check of Access Analyzer's: its issue code, finding type and section title as the reference page has them
    (``anchor``: the section's slug where it is not the title's)."""
    return Rule(code, kind, title, help_, "access-analyzer", anchor)


def ours(code: str, kind: FindingKind, title: str, help_: str) -> Rule:
    """A check Access Analyzer does not make."""
    return Rule(code, kind, title, help_, "iamwarden")
