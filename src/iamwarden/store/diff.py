"""What changed between two scans (:class:`ScanContent`): IAM changes and findings.

IAM changes, each a :class:`Change` of an ``area``:

* ``principal`` / ``group``: added, removed, or changed (groups joined or left, policies attached or detached,
  inline policies added or removed, permissions boundary, members)
* ``policy``: a managed policy added or removed, or its default document changed; an inline policy's document changed.
  Changed documents carry their statements added and removed and what is newly / no longer allowed, decided by the
  engine (:mod:`.policy_changes`)
* ``trust``: a role's trust policy ``opened`` (someone new may assume it, or without the condition that gated them),
  ``narrowed``, or ``changed`` (neither)
* ``admin``: a principal that became, or stopped being, an administrator (as the checks decided)
* ``escalation``: escalation paths that appeared or disappeared from a principal
* ``key``: access keys ``created``, ``deleted``, ``deactivated``, ``activated``; a user with a key created and another
  deleted or deactivated between the two scans ``rotated``
* ``mfa``: devices added or removed (``root``: the root user's MFA)

Findings (:class:`FindingChange`), by their stable ids, counting open failures only (failed and not suppressed):
``new`` (fails now, did not then, never failed up to then), ``regressed`` (fails now, did not then, but failed in a
scan recorded before then: it came back; with the date it was first seen), ``resolved`` (failed then, not now) and
``unchanged`` (failed both times; with its first-seen date).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from iamwarden.checks.base import Severity
from iamwarden.model import mask_key_id
from iamwarden.store.content import ResultRow, ScanContent
from iamwarden.store.policy_changes import DocumentChange, TrustChange, compare_documents, compare_trust

FINDING_CHANGES = ("new", "regressed", "resolved", "unchanged")


@dataclass(frozen=True, slots=True)
class Change:
    area: str
    change: str
    subject: str
    detail: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area, "change": self.change, "subject": self.subject, "detail": self.detail, **self.data}


@dataclass(frozen=True, slots=True)
class FindingChange:
    change: str
    result: ResultRow
    first_seen: datetime | None

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "change": self.change,
            "id": r.finding_id,
            "check": r.check_id,
            "resource": r.resource,
            "severity": r.severity,
            "status": r.status,
            "first_seen": self.first_seen.astimezone(UTC).strftime("%Y-%m-%d") if self.first_seen else None,
        }


@dataclass(frozen=True, slots=True)
class Side:
    """One end of the diff, as the user named it."""

    label: str
    account_id: str
    collected_at: datetime
    scan_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.label,
            "account_id": self.account_id,
            "collected_at": self.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "scan_id": self.scan_id,
        }


@dataclass(frozen=True, slots=True)
class ScanDiff:
    old: Side
    new: Side
    changes: tuple[Change, ...]
    findings: tuple[FindingChange, ...]

    def findings_of(self, change: str) -> list[FindingChange]:
        return [f for f in self.findings if f.change == change]

    def new_at_or_above(self, severity: Severity) -> list[FindingChange]:
        """New and regressed failures of ``severity`` or worse (what ``--fail-on-new`` gates on)."""
        return [
            f
            for f in self.findings
            if f.change in ("new", "regressed") and Severity(f.result.severity).rank <= severity.rank
        ]

    def counts(self) -> dict[str, int]:
        return {c: len(self.findings_of(c)) for c in FINDING_CHANGES}

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "summary": {"iam_changes": len(self.changes), "findings": self.counts()},
            "iam_changes": [c.to_json() for c in self.changes],
            "findings": {c: [f.to_json() for f in self.findings_of(c)] for c in FINDING_CHANGES},
        }


def diff_scans(
    old: ScanContent,
    new: ScanContent,
    old_side: Side,
    new_side: Side,
    failed_before: Mapping[str, datetime] | None = None,
    partition: str = "aws",
) -> ScanDiff:
    """What changed from ``old`` to ``new``. ``failed_before``: for finding ids, when they first failed in the
    history (:meth:`iamwarden.store.History.first_failed`), to tell regressed from new and date the findings."""
    changes = [
        *_principals(old, new, partition),
        *_policies(old, new, partition),
        *_admins(old, new),
        *_escalations(old, new),
        *_keys(old, new),
        *_mfa(old, new),
    ]
    return ScanDiff(old_side, new_side, tuple(changes), tuple(_findings(old, new, failed_before or {})))


def _short(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def _listed(items: list[str]) -> str:
    return ", ".join(_short(i) for i in items)


def _principals(old: ScanContent, new: ScanContent, partition: str) -> list[Change]:
    out: list[Change] = []
    for kind in ("user", "role", "group"):
        area = "group" if kind == "group" else "principal"
        before, after = old.of_kind(kind), new.of_kind(kind)
        for arn in sorted(after.keys() - before.keys()):
            out.append(Change(area, "added", arn, f"{kind} {_short(arn)} added", {"kind": kind}))
        for arn in sorted(before.keys() - after.keys()):
            out.append(Change(area, "removed", arn, f"{kind} {_short(arn)} removed", {"kind": kind}))
        for arn in sorted(before.keys() & after.keys()):
            a, b = before[arn], after[arn]
            if a == b:
                continue
            parts = _membership(a, b)
            if parts:
                out.append(Change(area, "changed", arn, f"{kind} {_short(arn)}: " + "; ".join(parts), {"kind": kind}))
            for name in sorted(set(a.get("inline", {})) | set(b.get("inline", {}))):
                d_old, d_new = a.get("inline", {}).get(name), b.get("inline", {}).get(name)
                if d_old != d_new:
                    doc = compare_documents(old.document(d_old), new.document(d_new), new.account_id, partition)
                    what = "added" if d_old is None else "removed" if d_new is None else "changed"
                    out.append(
                        _policy_change(f"{arn} inline {name}", what, doc, f"inline policy {name} of {_short(arn)}")
                    )
            if kind == "role" and a.get("trust") != b.get("trust"):
                trust = compare_trust(
                    old.document(a.get("trust")), new.document(b.get("trust")), arn, new.account_id, partition
                )
                out.append(_trust_change(arn, trust))
    return out


def _membership(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    for field_name, label in (("groups", "groups"), ("attached", "policies"), ("members", "members")):
        old_set, new_set = set(a.get(field_name, [])), set(b.get(field_name, []))
        if new_set - old_set:
            parts.append(f"{label} +{_listed(sorted(new_set - old_set))}")
        if old_set - new_set:
            parts.append(f"{label} -{_listed(sorted(old_set - new_set))}")
    for name in sorted(set(b.get("inline", {})) - set(a.get("inline", {}))):
        parts.append(f"inline policy +{name}")
    for name in sorted(set(a.get("inline", {})) - set(b.get("inline", {}))):
        parts.append(f"inline policy -{name}")
    if a.get("boundary") != b.get("boundary"):
        parts.append(
            f"permissions boundary {_short(a.get('boundary') or 'none')} -> {_short(b.get('boundary') or 'none')}"
        )
    if a.get("console") != b.get("console"):
        parts.append("console password " + ("added" if b.get("console") else "removed"))
    return parts


def _policy_change(subject: str, what: str, doc: DocumentChange, label: str) -> Change:
    summary = []
    if doc.newly_allowed:
        summary.append("newly allows " + "; ".join(c.describe() for c in doc.newly_allowed))
    if doc.no_longer_allowed:
        summary.append("no longer allows " + "; ".join(c.describe() for c in doc.no_longer_allowed))
    if not summary:
        summary.append(f"{len(doc.added)} statement(s) added, {len(doc.removed)} removed, same access")
    return Change("policy", what, subject, f"{label} {what}: " + "; ".join(summary), doc.to_json())


def _trust_change(arn: str, trust: TrustChange) -> Change:
    if trust.opened:
        what, detail = "opened", "now admits " + ", ".join(trust.opened)
    elif trust.narrowed:
        what, detail = "narrowed", "no longer admits " + ", ".join(trust.narrowed)
    else:
        what, detail = "changed", "same principals admitted"
    if trust.opened and trust.narrowed:
        detail += "; no longer admits " + ", ".join(trust.narrowed)
    return Change("trust", what, arn, f"trust policy of {_short(arn)} {what}: {detail}", trust.to_json())


def _policies(old: ScanContent, new: ScanContent, partition: str) -> list[Change]:
    out: list[Change] = []
    before, after = old.of_kind("policy"), new.of_kind("policy")
    for arn in sorted(after.keys() - before.keys()):
        out.append(Change("policy", "added", arn, f"policy {_short(arn)} added"))
    for arn in sorted(before.keys() - after.keys()):
        out.append(Change("policy", "removed", arn, f"policy {_short(arn)} removed"))
    for arn in sorted(before.keys() & after.keys()):
        a, b = before[arn], after[arn]
        d_old = a.get("versions", {}).get(a.get("default"))
        d_new = b.get("versions", {}).get(b.get("default"))
        if d_old == d_new:
            continue
        doc = compare_documents(old.document(d_old), new.document(d_new), new.account_id, partition)
        change = _policy_change(arn, "changed", doc, f"policy {_short(arn)} ({a.get('default')} -> {b.get('default')})")
        out.append(change)
    return out


def _admins(old: ScanContent, new: ScanContent) -> list[Change]:
    before, after = old.of_kind("admin"), new.of_kind("admin")
    out = [
        Change(
            "admin", "added", arn, f"{_short(arn)} became an administrator via {', '.join(after[arn].get('via', []))}"
        )
        for arn in sorted(after.keys() - before.keys())
    ]
    out += [
        Change("admin", "removed", arn, f"{_short(arn)} is no longer an administrator")
        for arn in sorted(before.keys() - after.keys())
    ]
    for arn in sorted(before.keys() & after.keys()):
        a, b = before[arn], after[arn]
        if a.get("mfa_only") != b.get("mfa_only"):
            how = "only with MFA" if b.get("mfa_only") else "without MFA too"
            out.append(Change("admin", "changed", arn, f"{_short(arn)} is now an administrator {how}"))
    return out


def _escalations(old: ScanContent, new: ScanContent) -> list[Change]:
    before, after = old.of_kind("escalation"), new.of_kind("escalation")
    out: list[Change] = []
    for arn in sorted(before.keys() | after.keys()):
        a = set(before.get(arn, {}).get("paths", []))
        b = set(after.get(arn, {}).get("paths", []))
        for path in sorted(b - a):
            out.append(Change("escalation", "appeared", arn, f"{_short(arn)}: {path}", {"path": path}))
        for path in sorted(a - b):
            out.append(Change("escalation", "disappeared", arn, f"{_short(arn)}: {path}", {"path": path}))
    return out


def _keys(old: ScanContent, new: ScanContent) -> list[Change]:
    before, after = old.of_kind("key"), new.of_kind("key")
    created = sorted(after.keys() - before.keys())
    deleted = sorted(before.keys() - after.keys())
    switched = [k for k in sorted(before.keys() & after.keys()) if before[k].get("status") != after[k].get("status")]

    def shown(key: str, facts: Mapping[str, Any]) -> str:
        created = str(facts.get("created") or "")[:10]
        return f"{mask_key_id(key)} (created {created})" if created else mask_key_id(key)

    def single(what: str, key: str, facts: Mapping[str, Any]) -> Change:
        user = str(facts["user"])
        return Change("key", what, user, f"{_short(user)}: key {shown(key, facts)} {what}", {"key": mask_key_id(key)})

    retired = {k: before[k]["user"] for k in deleted} | {
        k: after[k]["user"] for k in switched if after[k].get("status") != "Active"
    }
    out: list[Change] = []
    used: set[str] = set()
    for key in created:
        user = after[key]["user"]
        gone = [k for k, u in retired.items() if u == user and k not in used]
        if gone:
            used.add(gone[0])
            how = "deleted" if gone[0] in deleted else "deactivated"
            out.append(
                Change(
                    "key",
                    "rotated",
                    user,
                    f"{_short(user)}: key {shown(gone[0], before[gone[0]])} {how}, {shown(key, after[key])} created",
                    {"old_key": mask_key_id(gone[0]), "new_key": mask_key_id(key), "old_key_now": how},
                )
            )
        else:
            out.append(single("created", key, after[key]))
    out += [single("deleted", key, before[key]) for key in deleted if key not in used]
    for key in switched:
        if key not in used:
            out.append(single("activated" if after[key].get("status") == "Active" else "deactivated", key, after[key]))
    return out


def _mfa(old: ScanContent, new: ScanContent) -> list[Change]:
    before, after = old.of_kind("mfa"), new.of_kind("mfa")
    out: list[Change] = []
    for what, serials, facts in (
        ("added", sorted(after.keys() - before.keys()), after),
        ("removed", sorted(before.keys() - after.keys()), before),
    ):
        for serial in serials:
            user = str(facts[serial].get("user"))
            detail = f"{_short(user)}: MFA device {_short(serial)} {what}"
            out.append(Change("mfa", what, user, detail, {"device": serial}))
    return out


def _findings(old: ScanContent, new: ScanContent, failed_before: Mapping[str, datetime]) -> list[FindingChange]:
    out: list[FindingChange] = []
    before, after = old.results, new.results
    for fid in before.keys() | after.keys():
        a, b = before.get(fid), after.get(fid)
        was = a is not None and a.open_failure
        now = b is not None and b.open_failure
        first = failed_before.get(fid)
        if now and b is not None:
            if was:
                out.append(FindingChange("unchanged", b, min(first or old.collected_at, old.collected_at)))
            elif first is not None and first < old.collected_at:  # failed before OLD, not in OLD, again now
                out.append(FindingChange("regressed", b, first))
            else:  # never failed up to OLD: new since then (first seen in NEW or in a scan between the two)
                out.append(FindingChange("new", b, first if first is not None else new.collected_at))
        elif was and a is not None:
            out.append(FindingChange("resolved", a, first or old.collected_at))
    order = {change: n for n, change in enumerate(FINDING_CHANGES)}
    rank = {s.value: s.rank for s in Severity}
    out.sort(key=lambda f: (order[f.change], rank[f.result.severity], f.result.check_id, f.result.resource))
    return out
