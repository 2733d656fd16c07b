"""The inventory as rich tables (``iamwarden scan --inventory``), and the one-screen summary shown by default."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from iamwarden.report.arns import SHORT_ARNS
from iamwarden.report.inventory import Inventory
from iamwarden.report.tables import plain_table
from iamwarden.report.words import plural

GAPS_SHOWN = 20


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "-"


def _yes(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _table(title: str, columns: Iterable[str]) -> Table:
    table = plain_table(title)
    for column in columns:
        table.add_column(column)
    return table


def render_header(inv: Inventory, console: Console) -> None:
    """Two lines: which account, from what and when; what it holds. Later tables name its resources without
    ``arn:aws:`` and this account id."""
    a = inv.account
    alias = f" ({a.alias})" if a.alias else ""
    console.print(
        Text.assemble(
            (f"Account {a.account_id}{alias}", "bold"),
            f": {a.source} snapshot of {a.collected_at.strftime('%Y-%m-%d %H:%M UTC')}, "
            f"regions {', '.join(a.regions) or '-'}",
        )
    )
    c = inv.counts
    console.print(
        f"{plural(c['users'], 'user')}, {plural(c['roles'], 'role')}, {plural(c['groups'], 'group')}, "
        f"{plural(c['customer_policies'], 'customer managed policy', 'customer managed policies')} and "
        f"{c['aws_policies']} AWS managed, {plural(c['access_keys'], 'access key')}, {plural(c['trails'], 'trail')}, "
        f"{plural(c['workloads'], 'workload')}; {plural(c['gaps'], 'gap') if c['gaps'] else 'no gaps'}. "
        f"Resources below are {SHORT_ARNS} (user/alice).",
        markup=False,
    )


def render_gaps(
    inv: Inventory, console: Console, *, limit: int | None = GAPS_SHOWN, inventory_file: Path | None = None
) -> None:
    """The calls without an answer (the first ``limit``); ``inventory_file``: where the inventory, which lists them
    all, was written (if it was)."""
    if not inv.gaps:
        return
    table = _table(
        f"Gaps: {plural(len(inv.gaps), 'call')} without an answer", ("API", "Region", "Target", "Error", "Message")
    )
    shown = inv.gaps if limit is None else inv.gaps[:limit]
    for g in shown:
        table.add_row(g.api, g.region, g.target, g.error_code, g.message, style=None)
    console.print(table)
    if len(shown) < len(inv.gaps):
        where = f"; {inventory_file} holds them all" if inventory_file is not None else ""
        console.print(f"... and {len(inv.gaps) - len(shown)} more (--verbose lists them{where})", markup=False)


def render_inventory(
    inv: Inventory, console: Console, *, verbose: bool = False, inventory_file: Path | None = None
) -> None:
    """Every table of the inventory, then the gaps."""
    render_header(inv, console)

    root = _table("Root user", ("MFA", "Access keys", "Password last used"))
    root.add_row(inv.root.mfa, _yes(inv.root.access_keys_present), _date(inv.root.last_used))
    console.print(root)

    users = _table(
        "Users",
        ("User", "Console", "MFA", "Keys (active)", "Groups", "Attached", "Inline", "Boundary", "Password used"),
    )
    for u in inv.users:
        key_text = "?" if u.access_keys is None else f"{u.access_keys} ({u.active_access_keys})"
        users.add_row(
            u.name,
            _yes(u.console),
            u.mfa,
            key_text,
            ", ".join(u.groups) or "-",
            str(u.attached_policies),
            str(u.inline_policies),
            _yes(u.permissions_boundary),
            _date(u.password_last_used),
        )
    console.print(users)

    roles = _table("Roles", ("Role", "Trusted", "Attached", "Inline", "Boundary", "Instance profile", "Last used"))
    for r in inv.roles:
        name = f"{r.name} (service-linked)" if r.service_linked else r.name
        used = f"{_date(r.last_used)} {r.last_used_region or ''}".strip() if r.last_used else "never / unknown"
        roles.add_row(
            name,
            "\n".join(r.trusted) or "-",
            str(r.attached_policies),
            str(r.inline_policies),
            _yes(r.permissions_boundary),
            ", ".join(r.instance_profiles) or "-",
            used,
        )
    console.print(roles)

    groups = _table("Groups", ("Group", "Members", "Attached", "Inline"))
    for g in inv.groups:
        groups.add_row(
            g.name,
            f"{len(g.members)}: {', '.join(g.members)}" if g.members else "0",
            str(g.attached_policies),
            str(g.inline_policies),
        )
    console.print(groups)

    policies = _table("Managed policies", ("Policy", "Owner", "Attachments", "Boundary uses", "Versions"))
    for p in inv.policies:
        policies.add_row(
            p.name,
            "AWS" if p.aws_managed else "customer",
            _count(p.attachments),
            _count(p.boundary_uses),
            str(p.versions),
        )
    console.print(policies)

    keys = _table("Access keys", ("User", "Key", "Status", "Created", "Age (days)", "Last used", "Service"))
    for k in inv.access_keys:
        last = _date(k.last_used) if k.last_used_known else "?"
        if k.last_used_known and k.last_used is None:
            last = "never"
        keys.add_row(k.user, k.key_id, k.status, _date(k.created), _count(k.age_days), last, k.last_used_service or "-")
    console.print(keys)

    mfa = _table("MFA devices", ("Owner", "Kind", "Serial", "Enabled"))
    for m in inv.mfa_devices:
        mfa.add_row(m.owner, m.kind, m.serial, _date(m.enabled))
    console.print(mfa)

    trails = _table(
        "CloudTrail trails", ("Trail", "Home", "Multi-region", "Org", "Logging", "Validation", "KMS", "CloudWatch")
    )
    for t in inv.trails:
        trails.add_row(
            t.name,
            t.home_region,
            _yes(t.multi_region),
            _yes(t.organization_trail),
            _yes(t.logging),
            _yes(t.log_file_validation),
            _yes(t.kms),
            _yes(t.cloudwatch_logs),
        )
    console.print(trails)

    regions = _table(
        "Regions: Access Analyzer and AWS Config", ("Region", "Analyzers", "Config recorders", "Recording")
    )
    for reg in inv.regions:
        regions.add_row(
            reg.region,
            ", ".join(reg.analyzers) or "none",
            ", ".join(reg.config_recorders) or "none",
            _yes(reg.config_recording),
        )
    console.print(regions)

    workloads = _table("Workloads", ("Kind", "Name", "Region", "Instance profile / role"))
    for w in inv.workloads:
        workloads.add_row(w.kind, w.name, w.region, w.role or "none")
    console.print(workloads)

    if inv.organization is not None:
        o = inv.organization
        org = _table(
            f"Organization {o.org_id} (management account {o.management_account_id or '?'})", ("Level", "SCPs attached")
        )
        for node, names in o.scps_by_level:
            org.add_row(node, ", ".join(names) or "-")
        if not o.scps_by_level:
            org.add_row("?", "the account's path to the root was not collected")
        console.print(org)
    elif inv.organization_known:
        console.print("Organization: not in an organization")
    else:
        console.print("Organization: not collected (see gaps)")

    render_gaps(inv, console, limit=None if verbose else GAPS_SHOWN, inventory_file=inventory_file)
