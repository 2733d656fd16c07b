"""Action checks: every entry names a real action (or a wildcard that matches some), and entries another entry
covers."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from iamwarden.policy.catalogue import Action, Catalogue
from iamwarden.policy.lint.findings import Collector, Statement
from iamwarden.policy.lint.jsonpos import JScalar


@dataclass(frozen=True, slots=True)
class ResolvedActions:
    """The actions of a statement's Action/NotAction entries. ``complete`` is false when an entry named nothing the
    catalogue knows (so checks that need the full set stay quiet)."""

    entries: tuple[tuple[JScalar, tuple[Action, ...]], ...]
    complete: bool
    has_star: bool
    names: tuple[frozenset[str], ...]
    """The full names (``service:Action``) of each entry's actions, in the order of ``entries``."""

    def actions(self) -> tuple[Action, ...]:
        seen: dict[str, Action] = {}
        for _, actions in self.entries:
            for action in actions:
                seen.setdefault(action.full_name, action)
        return tuple(seen.values())


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


_EXPANDED: weakref.WeakKeyDictionary[Catalogue, dict[str, tuple[tuple[Action, ...], frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _expand(cat: Catalogue, text: str) -> tuple[tuple[Action, ...], frozenset[str]]:
    """``cat.expand(text)`` and the actions' full names, remembered per catalogue (the same entries recur across an
    account's policies)."""
    memo = _EXPANDED.get(cat)
    if memo is None:
        memo = _EXPANDED[cat] = {}
    found = memo.get(text)
    if found is None:
        if len(memo) > 65536:
            memo.clear()
        actions = cat.expand(text)
        found = memo[text] = (actions, frozenset(a.full_name for a in actions))
    return found


def check_actions(st: Statement, cat: Catalogue, out: Collector) -> ResolvedActions:
    entries: list[tuple[JScalar, tuple[Action, ...]]] = []
    names: list[frozenset[str]] = []
    complete = True
    has_star = False
    for entry in st.actions:
        text = str(entry.value)
        if text == "*":
            has_star = True
            entries.append((entry, ()))
            names.append(frozenset())
            continue
        prefix, sep, name = text.partition(":")
        if not sep or not prefix or not name:
            out.at("INVALID_ACTION", entry, f"{text!r} is not an action: write service:Action, such as s3:GetObject")
            complete = False
            continue
        if not _has_wildcard(prefix) and not cat.has_service(prefix):
            out.at(
                "INVALID_SERVICE_IN_ACTION",
                entry,
                f"no service has the prefix {prefix!r} (the catalogue drops retired services)",
            )
            complete = False
            continue
        found, found_names = _expand(cat, text)
        if not found:
            if _has_wildcard(text):
                out.at("INVALID_ACTION", entry, f"{text!r} matches no action")
            else:
                out.at("INVALID_ACTION", entry, f"{prefix}:{name} is not an action of {prefix}")
            complete = False
            continue
        entries.append((entry, found))
        names.append(found_names)
    resolved = ResolvedActions(tuple(entries), complete, has_star, tuple(names))
    _redundant(resolved, out, st.action_key or "Action")
    return resolved


def _redundant(resolved: ResolvedActions, out: Collector, element: str) -> None:
    """An entry whose actions another entry all covers. Of two entries that cover each other (the same action
    written twice), the later is the redundant one."""
    sets = [(entry, names) for (entry, _), names in zip(resolved.entries, resolved.names, strict=True)]
    star = next((entry for entry, _ in sets if entry.value == "*"), None)
    for i, (entry, names) in enumerate(sets):
        if entry.value == "*":
            if star is not entry:
                out.at("REDUNDANT_ACTION", entry, f'"*" appears twice in {element}')
            continue
        if star is not None:
            out.at("REDUNDANT_ACTION", entry, f'{entry.value!r} is covered by "*" in {element}')
            continue
        for j, (other, other_names) in enumerate(sets):
            if i == j or other.value == "*" or not names:
                continue
            if names < other_names or (names == other_names and j < i):
                out.at("REDUNDANT_ACTION", entry, f"{entry.value!r} is covered by {other.value!r} in {element}")
                break
