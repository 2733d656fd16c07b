"""Integer ids for the actions of the catalogue and bitsets of them: the action side of the effective-permissions index
(:mod:`iamwarden.analysis.effective`).

Every action of the catalogue (:mod:`iamwarden.policy.catalogue`, about 22,000) gets an integer id, grouped by service
in the reference's order; a set of actions is a Python ``int`` used as a bitset. The bitset of an ``Action`` entry is
the catalogue's own wildcard expansion (:meth:`~iamwarden.policy.catalogue.Catalogue.expand`), not a second matcher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from iamwarden.policy import Statement
from iamwarden.policy.catalogue import AccessLevel, Catalogue, catalogue

_VERB = re.compile(r"^[A-Z][a-z]+")
"""The verb an action name starts with (``Get`` of ``GetObject``): what ``svc:Verb*`` stands for."""


class ActionIndex:
    """Integer ids for every action of the catalogue (grouped by service, in the reference's order) and the bitset of
    an ``Action`` element entry, a service or an access level. Use :func:`action_index` for the shared instance."""

    def __init__(self, cat: Catalogue) -> None:
        self.catalogue = cat
        self.names: list[str] = []
        self.levels: list[AccessLevel] = []
        self.ids: dict[str, int] = {}
        self.service_ranges: dict[str, tuple[int, int]] = {}
        for prefix in cat.services():
            start = len(self.names)
            for action in cat.actions(prefix):
                self.ids[action.full_name.lower()] = len(self.names)
                self.names.append(action.full_name)
                self.levels.append(action.access_level)
            self.service_ranges[prefix] = (start, len(self.names))
        self.size = len(self.names)
        self.all = (1 << self.size) - 1
        self._patterns: dict[str, int] = {}
        self._written: dict[tuple[str, ...], int] = {}
        self._lists: dict[tuple[str, ...], int] = {}
        self._levels: dict[str, int] = {}
        self._compact: dict[tuple[str, int], tuple[str, ...]] = {}

    def id(self, action: str) -> int | None:
        return self.ids.get(action.lower())

    def service_bits(self, prefix: str) -> int:
        start, end = self.service_ranges.get(prefix.lower(), (0, 0))
        return ((1 << (end - start)) - 1) << start

    def level_bits(self, level: AccessLevel) -> int:
        bits = self._levels.get(level)
        if bits is None:
            bits = self.from_ids(i for i, lv in enumerate(self.levels) if lv == level)
            self._levels[level] = bits
        return bits

    def from_ids(self, ids: Iterable[int]) -> int:
        buf = bytearray((self.size + 7) // 8)
        for i in ids:
            buf[i >> 3] |= 1 << (i & 7)
        return int.from_bytes(buf, "little")

    def pattern_bits(self, pattern: str) -> int:
        """The actions an ``Action`` entry (``s3:Get*``, ``*``, ``iam:PassRole``) covers; cached."""
        low = pattern.lower()
        bits = self._patterns.get(low)
        if bits is None:
            if low == "*":
                bits = self.all
            else:
                svc, _, name = low.partition(":")
                if name == "*" and svc in self.service_ranges:
                    bits = self.service_bits(svc)
                else:
                    bits = self.from_ids(self.ids[a.full_name.lower()] for a in self.catalogue.expand(low))
            self._patterns[low] = bits
        return bits

    def statement_bits(self, st: Statement) -> int:
        """The catalogue actions ``st`` covers (``NotAction``: every action its list does not match); remembered per
        list of ``Action`` values as written."""
        written = tuple(p.raw for p in st.actions)
        bits = self._written.get(written)
        if bits is None:
            key = tuple(raw.lower() for raw in written)
            bits = self._lists.get(key)
            if bits is None:
                exact: list[int] = []
                bits = 0
                for raw in key:
                    found = None if "*" in raw or "?" in raw else self.ids.get(raw)
                    if found is not None:
                        exact.append(found)
                    else:
                        bits |= self.pattern_bits(raw)
                if exact:
                    bits |= self.from_ids(exact)
                self._lists[key] = bits
            self._written[written] = bits
        return self.all ^ bits if st.not_action else bits

    def iter_ids(self, bits: int) -> Iterator[int]:
        """The ids in ``bits``, ascending."""
        text = bin(bits)[:1:-1]
        i = text.find("1")
        while i >= 0:
            yield i
            i = text.find("1", i + 1)

    def names_of(self, bits: int) -> list[str]:
        return [self.names[i] for i in self.iter_ids(bits)]

    def compact(self, service: str, bits: int) -> tuple[str, ...]:
        """The actions of ``service`` in ``bits``, written ``svc:*`` when all are there and ``svc:Verb*`` when every
        catalogue action starting with that verb is; remembered per service and its part of ``bits`` (a history diff
        writes the same few sets for thousands of policy changes)."""
        svc_bits = bits & self.service_bits(service)
        key = (service, svc_bits)
        found = self._compact.get(key)
        if found is None:
            found = self._compact[key] = self._compact_uncached(service, svc_bits)
        return found

    def _compact_uncached(self, service: str, svc_bits: int) -> tuple[str, ...]:
        if svc_bits == self.service_bits(service):
            return (f"{service}:*",)
        out: list[str] = []
        done: set[str] = set()
        for name in self.names_of(svc_bits):
            verb_match = _VERB.match(name.split(":", 1)[1])
            verb = verb_match.group(0) if verb_match else None
            if verb is not None and verb in done:
                continue
            if verb is not None:
                pattern = self.pattern_bits(f"{service}:{verb}*")
                if pattern and not pattern & ~svc_bits and bin(pattern).count("1") > 1:
                    out.append(f"{service}:{verb}*")
                    done.add(verb)
                    continue
            out.append(name)
        return tuple(out)


@cache
def action_index() -> ActionIndex:
    """The shared index over the pinned catalogue (reads every service once, about 0.5 s)."""
    return ActionIndex(catalogue())
