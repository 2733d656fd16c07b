"""``diff_scans``: the demo's scripted change shows up exactly; findings new, resolved, regressed and unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from iamwarden.store import History
from iamwarden.store.content import ResultRow, ScanContent
from iamwarden.store.diff import ScanDiff, Side, diff_scans
from tests.store.contents import demo_content, small_content

DEMO = "arn:aws:iam::444455556666"


def _diff(old: ScanContent, new: ScanContent, failed_before: dict | None = None) -> ScanDiff:  # type: ignore[type-arg]
    return diff_scans(
        old,
        new,
        Side("old", old.account_id, old.collected_at),
        Side("new", new.account_id, new.collected_at),
        failed_before,
    )


def test_the_demo_change_shows_up_exactly() -> None:
    """scripts/demo_change.py: a new administrator, a rotated key and a widened trust, and nothing else."""
    diff = _diff(demo_content(0), demo_content(1))
    assert [(c.area, c.change, c.subject) for c in diff.changes] == [
        ("principal", "changed", f"{DEMO}:user/raj.mehta"),
        ("trust", "opened", f"{DEMO}:role/security-audit-readonly"),
        ("admin", "added", f"{DEMO}:user/raj.mehta"),
        ("key", "rotated", f"{DEMO}:user/priya.patel"),
    ]
    principal, trust, admin, key = diff.changes
    assert principal.detail == "user user/raj.mehta: policies +policy/AdministratorAccess"
    assert trust.data["opened"] == ["arn:aws:iam::777788889999:root"]
    assert trust.data["statements_removed"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "northwind-audit-7f3a"}
    }
    assert "Condition" not in trust.data["statements_added"][0]
    assert admin.detail == "user/raj.mehta became an administrator via AdministratorAccess"
    assert key.data == {"old_key": "AKIA************MPLE", "new_key": "AKIA************MPLE", "old_key_now": "deleted"}
    assert "(created 2026-05-04) deleted" in key.detail and "(created 2026-11-20) created" in key.detail
    new = {(f.result.check_id, f.result.resource) for f in diff.findings_of("new")}
    assert new == {
        ("least_privilege.effective_admins", f"{DEMO}:user/raj.mehta"),
        ("groups.user_direct_policies", f"{DEMO}:user/raj.mehta"),
        ("roles.trust_open", f"{DEMO}:role/security-audit-readonly"),
        ("conditions.cross_account_trust", f"{DEMO}:role/security-audit-readonly"),
    }
    assert {(f.result.check_id, f.result.resource) for f in diff.findings_of("resolved")} == {
        ("credentials.access_key_rotation", f"{DEMO}:user/priya.patel"),
        # an administrator is granted every service by design: unused services no longer apply to raj.mehta
        ("least_privilege.unused_services", f"{DEMO}:user/raj.mehta"),
    }
    assert not diff.findings_of("regressed")
    assert diff.counts()["unchanged"] == sum(1 for r in demo_content(0).results.values() if r.open_failure) - 2


def test_the_same_scan_has_no_change() -> None:
    diff = _diff(demo_content(0), demo_content(0))
    assert diff.changes == () and diff.counts()["new"] == diff.counts()["resolved"] == 0


def test_a_policy_document_change_is_explained_by_the_engine() -> None:
    old, new = demo_content(0), demo_content(0)
    arn = ("policy", f"{DEMO}:policy/legacy-full-access")
    facts = new.entities[arn]
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    wider = {
        "Version": "2012-10-17",
        "Statement": [*read["Statement"], {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}],
    }
    old.documents["d-read"], new.documents["d-wider"] = read, wider
    old.entities[arn] = {**facts, "default": "v8", "versions": {"v8": "d-read"}}
    new.entities[arn] = {**facts, "default": "v9", "versions": {"v8": "d-read", "v9": "d-wider"}}
    [change] = _diff(old, new).changes
    assert (change.area, change.change, change.subject) == ("policy", "changed", arn[1])
    assert change.data["statements_added"] == [wider["Statement"][1]] and change.data["statements_removed"] == []
    assert change.data["newly_allowed"] == [
        {"resource": "*", "actions": ["iam:PassRole"], "before": "denied", "after": "allowed"}
    ]
    assert change.data["no_longer_allowed"] == []
    assert change.detail == "policy policy/legacy-full-access (v8 -> v9) changed: newly allows iam:PassRole on *"


def _with(content: ScanContent, when: datetime, failing: bool) -> ScanContent:
    row = next(iter(content.results.values()))
    status = "fail" if failing else "pass"
    return replace(content, collected_at=when, results={row.finding_id: replace(row, status=status)})


def test_a_finding_fixed_then_reintroduced_is_regressed_with_its_first_seen_date(db: str) -> None:
    days = [datetime(2026, 11, d, 9, tzinfo=UTC) for d in (1, 2, 3, 4)]
    base = small_content(days[0])
    states = [True, True, False, True]  # failed on the 1st and 2nd, fixed on the 3rd, back on the 4th
    with History.open(db) as history:
        ids = [
            history.record(
                _with(base, when, failing),
                tool_version="t",
                snapshot_hash=f"{n:064d}",
                snapshot_path=None,
                source="live",
            ).id
            for n, (when, failing) in enumerate(zip(days, states, strict=True))
        ]
        old, new = history.content(ids[2]), history.content(ids[3])
        failing = [f for f, r in new.results.items() if r.open_failure]
        before = history.first_failed(new.account_id, failing, before=new.collected_at)
        first = history.content(ids[0])
        second = history.content(ids[1])
        fixed_diff = _diff(
            second, old, history.first_failed(old.account_id, list(old.results), before=old.collected_at)
        )
    diff = _diff(old, new, before)
    [regressed] = diff.findings_of("regressed")
    assert regressed.first_seen == days[0]
    assert isinstance(regressed.result, ResultRow) and regressed.result.status == "fail"
    assert not diff.findings_of("new")
    [resolved] = fixed_diff.findings_of("resolved")
    assert resolved.first_seen == days[0]
    [unchanged] = _diff(first, second, before).findings_of("unchanged")
    assert unchanged.first_seen == days[0]
    assert [f.change for f in _diff(first, second).findings] == ["unchanged"]
    assert [f.change for f in _diff(old, new).findings] == ["new"]  # without history, a failure back is new
    compared_old, compared_new, first_dates = history_compared(db, ids[2], ids[3])
    [back] = _diff(compared_old, compared_new, first_dates).findings_of("regressed")
    assert back.first_seen == days[0]


def history_compared(db: str, old_id: int, new_id: int) -> tuple[ScanContent, ScanContent, dict[str, datetime]]:
    with History.open(db) as history:
        return history.compared(old_id, new_id)


def _record(history: History, content: ScanContent, n: int) -> int:
    return history.record(content, tool_version="t", snapshot_hash=f"{n:064d}", snapshot_path=None, source="live").id


def test_a_finding_that_first_failed_between_old_and_new_is_new_with_its_first_seen_date(db: str) -> None:
    days = [datetime(2026, 11, d, 9, tzinfo=UTC) for d in (1, 2, 3)]
    base = small_content(days[0])
    with History.open(db) as history:
        ids = [_record(history, _with(base, when, n > 0), n) for n, when in enumerate(days)]
        old, new, first = history.compared(ids[0], ids[2])
    [new_failure] = _diff(old, new, first).findings
    assert (new_failure.change, new_failure.first_seen) == ("new", days[1])


def test_two_recorded_scans_compared_by_the_database_diff_as_their_whole_contents(db: str) -> None:
    """``History.compared`` reads only what differs and the open failures: the diff is the same as of the whole
    scans read back (the demo's scripted change, findings new, resolved and unchanged with first-seen dates)."""
    with History.open(db) as history:
        ids = [_record(history, demo_content(day), day) for day in (0, 1)]
        old, new = history.content(ids[0]), history.content(ids[1])
        failing = [f for c in (old, new) for f, r in c.results.items() if r.open_failure]
        whole = _diff(old, new, history.first_failed(new.account_id, failing, before=new.collected_at))
        small_old, small_new, first = history.compared(ids[0], ids[1])
    assert len(small_old.entities) < len(old.entities) / 10 and len(small_new.results) < len(new.results)
    assert not small_old.complete and old.complete
    assert _diff(small_old, small_new, first).to_json() == whole.to_json()
    assert [c.area for c in whole.changes] == ["principal", "trust", "admin", "key"]
