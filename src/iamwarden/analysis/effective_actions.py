"""Integer ids for the actions of the catalogue and bitsets of them: the action side of the effective-permissions index
(:mod:`iamwarden.analysis.effective`).

Every action of the catalogue (:mod:`iamwarden.policy.catalogue`, about 22,000) gets an integer id, grouped by service
in the reference's order; a set of actions is a Python ``int`` used as a bitset. The bitset of an ``Action`` entry is
the catalogue's own wildcard expansion (:meth:`~iamwarden.policy.catalogue.Catalogue.expand`), not a second matcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from iamwarden.policy import Statement
from iamwarden.policy.catalogue import AccessLevel, Catalogue, catalogue


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


@cache
def action_index() -> ActionIndex:
    """The shared index over the pinned catalogue (reads every service once, about 0.5 s)."""
    return ActionIndex(catalogue())
