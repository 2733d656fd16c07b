"""Counted nouns in report text: ``1 role``, ``2 roles``, never ``1 roles`` nor ``role(s)``."""

from __future__ import annotations

import textwrap

_IRREGULAR = {"policy": "policies", "entry": "entries", "was": "were", "is": "are"}


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``plural(1, "role")`` is ``1 role``, ``plural(3, "policy")`` is ``3 policies``. The last word of ``noun`` is
    the one that changes (``plural(2, "more failure")`` is ``2 more failures``)."""
    return f"{count} {noun if count == 1 else plural_form or plural_of(noun)}"


def plural_of(noun: str) -> str:
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def wrap(text: str, width: int, *, indent: int = 0, hanging: int = 2) -> str:
    """``text`` as lines of at most ``width`` columns (at least 40): the first indented by ``indent`` spaces, the
    others by ``indent + hanging``. Words are never split, so a word longer than a line (an ARN, a JSON document) is
    left whole on a line of its own rather than cut; print the result with ``soft_wrap=True``."""
    return textwrap.fill(
        text,
        width=max(width, 40),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hanging),
        break_long_words=False,
        break_on_hyphens=False,
    )
