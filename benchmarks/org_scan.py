"""Benchmark ``scan BUNDLE``: generate an organization bundle of N accounts and measure the organization scan.

Each account is a generated account (``generate_account.py``: 100-1,000 principals, chosen per account by the seed)
placed in one of five OUs under the root, with realistic cross-account trusts added: every account has a
``OrgAuditor`` role trusting the security account's root, a ``Deploy`` role trusting the CI account's ``deployer``
role, and one account in ten a ``VendorAccess`` role trusting a vendor outside the organization with an ExternalId;
the security and CI principals may assume them. SCPs: FullAWSAccess everywhere, a root SCP denying
LeaveOrganization, and an OU SCP denying sts:AssumeRole into the management account.

Measured (``scan_bundle`` without reports): time per account (mean, max), total wall time, the cross-account graph
and organization checks (the join, in the parent), peak RSS of the parent and of the largest worker::

    python benchmarks/org_scan.py --accounts 50 --workers 2
    python benchmarks/org_scan.py --accounts 150 --workers 2 --bundle benchmarks/out/org-150
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from iamwarden.analysis.cross_account import AccountSummary, CrossAccountGraph
from iamwarden.checks.config import Thresholds
from iamwarden.cli.org_scan import scan_bundle
from iamwarden.collect.bundle import (
    BundleAccount,
    BundleOrganization,
    BundlePolicy,
    BundleRoot,
    BundleUnit,
    OrgBundle,
    write_account_snapshot,
    write_bundle,
)
from iamwarden.collect.snapshot import snapshot_from_json
from iamwarden.model import Organization

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.generate_account import Counts, generate_snapshot

ORG_ID = "o-bench00001"
ROOT = "r-b001"
OUS = tuple(f"ou-b001-{name:0<8}" for name in ("security", "infra", "prod", "staging", "sandbox"))
VENDOR = "999988887777"


def account_id(i: int) -> str:
    return f"{100000000000 + i * 7919:012d}"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _role(account: str, name: str, trust: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
    """A role with one inline policy (inline: the generated account need not hold a managed policy for it)."""
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": name.lower(), "PolicyDocument": policy}],
        "AttachedManagedPolicies": [],
        "RoleLastUsed": {},
    }


ADMIN = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
AUDIT = _doc({"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "cloudtrail:Describe*"], "Resource": "*"})


def account_snapshot(
    i: int, accounts: list[str], rng: random.Random, sizes: tuple[int, int] = (100, 1000)
) -> tuple[Any, int]:
    """The generated snapshot of account ``i`` (between ``sizes`` principals) with the organization's cross-account
    roles and callers added."""
    principals = rng.randint(*sizes)
    me, security, ci = accounts[i], accounts[1], accounts[2]
    doc = generate_snapshot(Counts.from_principals(principals), seed=i, account_id=me).to_json()
    details = doc["calls"]["iam:GetAccountAuthorizationDetails"]["global"]["_"]
    roles = details["RoleDetailList"]
    audit = _doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{security}:root"}, "Action": "sts:AssumeRole"})
    roles.append(_role(me, "OrgAuditor", audit, AUDIT))
    deploy = _doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ci}:role/deployer"}, "Action": "sts:AssumeRole"}
    )
    roles.append(_role(me, "Deploy", deploy, ADMIN))
    if i % 10 == 3:
        vendor = _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": f"bench-{i}"}},
            }
        )
        roles.append(_role(me, "VendorAccess", vendor, AUDIT))
    if me in (security, ci):
        hop = _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*"})
        if me == ci:
            codebuild = _doc(
                {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
            )
            roles.append(_role(me, "deployer", codebuild, hop))
        for user in details["UserDetailList"][:20]:
            user["UserPolicyList"].append({"PolicyName": "hop", "PolicyDocument": hop})
    return snapshot_from_json(doc, f"account {me}"), principals


def write_org_bundle(directory: Path, n: int, seed: int = 0, sizes: tuple[int, int] = (100, 1000)) -> int:
    """Write an org bundle of ``n`` accounts into ``directory``; returns the principals generated."""
    rng = random.Random(seed)
    accounts = [account_id(i) for i in range(n)]
    management = accounts[0]
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    total = 0
    for i, account in enumerate(accounts):
        snapshot, principals = account_snapshot(i, accounts, rng, sizes)
        total += principals
        name = write_account_snapshot(directory, snapshot)
        path = (ROOT,) if i == 0 else (ROOT, OUS[0] if i < 3 else OUS[i % len(OUS)])
        entries.append(BundleAccount(account, f"account-{i}", f"a{i}@example.com", "ACTIVE", path, name, None))
    full = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    policies = (
        BundlePolicy("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True, full, (ROOT, *OUS, *accounts)),
        BundlePolicy(
            "p-noleave0001",
            "DenyLeave",
            "SERVICE_CONTROL_POLICY",
            False,
            _doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
            (ROOT,),
        ),
        BundlePolicy(
            "p-nomgmt00001",
            "NoManagementRoles",
            "SERVICE_CONTROL_POLICY",
            False,
            _doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{management}:role/*"}),
            (OUS[4],),
        ),
    )
    bundle = OrgBundle(
        datetime(2026, 12, 4, tzinfo=UTC),
        BundleOrganization(ORG_ID, f"arn:aws:organizations::{management}:organization/{ORG_ID}", management, "ALL"),
        (BundleRoot(ROOT, f"arn:aws:organizations::{management}:root/{ORG_ID}/{ROOT}", "Root"),),
        tuple(BundleUnit(ou, ou.rsplit("-", 1)[-1].rstrip("0"), ROOT) for ou in OUS),
        tuple(entries),
        policies,
    )
    write_bundle(bundle, directory)
    return total


def replicated_graph(graph: CrossAccountGraph, factor: int) -> CrossAccountGraph:
    """A graph of ``factor`` times the accounts: each account's summary copied under new account ids (its own id
    replaced in every ARN and document; the accounts it trusts keep theirs), in the same OU, the SCPs and RCPs
    attached to its copies as to it. Measures the join at a size whose per-account scan would take hours here."""
    copies: dict[str, list[str]] = {a: [a] for a in graph.summaries}
    for k in range(1, factor):
        for a in graph.summaries:
            copies[a].append(f"{(int(a) + k * 13) % 10**12:012d}")
    policies = tuple(
        replace(p, target_ids=tuple(t for x in p.target_ids for t in copies.get(x, [x])))
        for p in graph.org.policies.values()
    )
    management = next((a for a, place in graph.org.places.items() if place.management), "")
    out = CrossAccountGraph()
    for a, summary in graph.summaries.items():
        place = graph.org.places[a]
        for new in copies[a]:
            copied = summary if new == a else _renamed(summary, a, new)
            org = Organization(graph.org.org_id or ORG_ID, management, "ALL", (*place.path[:-1], new), policies, None)
            out.add(copied, org)
    return out


def _renamed(summary: AccountSummary, old: str, new: str) -> AccountSummary:
    def arn(text: str) -> str:
        return text.replace(f"::{old}:", f"::{new}:")

    return replace(
        summary,
        account_id=new,
        callers=tuple(replace(c, arn=arn(c.arn)) for c in summary.callers),
        trusts=tuple(replace(t, arn=arn(t.arn)) for t in summary.trusts),
        admins=tuple(replace(r, arn=arn(r.arn), through=tuple(arn(x) for x in r.through)) for r in summary.admins),
        documents=tuple(d.replace(old.encode(), new.encode()) for d in summary.documents),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bundle", type=Path, default=None, help="Where the bundle goes (reused when it exists).")
    parser.add_argument(
        "--join-scale",
        type=int,
        default=0,
        metavar="N",
        help="Also join N accounts: the scanned accounts' summaries copied under new ids (replicated_graph).",
    )
    args = parser.parse_args(argv)
    directory = args.bundle or Path(__file__).parent / "out" / f"org-{args.accounts}"
    if not (directory / "org.json").is_file():
        started = time.perf_counter()
        principals = write_org_bundle(directory, args.accounts)
        print(f"generated {args.accounts} accounts, {principals} principals in {time.perf_counter() - started:.1f} s")
    result = scan_bundle(directory, output_dir=None, formats=(), thresholds=Thresholds(), workers=args.workers)
    per_account = [o.seconds for o in result.outcomes]
    figures = {
        "accounts": len(result.outcomes),
        "workers": args.workers,
        "total_s": round(result.seconds, 1),
        "per_account_mean_s": round(sum(per_account) / len(per_account), 2),
        "per_account_max_s": round(max(per_account), 2),
        "cross_account_graph_and_org_checks_s": round(result.graph_seconds, 2),
        "engine_decisions": result.data["cross_account"]["decisions"],
        "cross_account_paths": len(result.data["cross_account"]["paths"]),
        "parent_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "largest_worker_peak_rss_mib": round(max(o.peak_rss_kib for o in result.outcomes) / 1024),
    }
    if args.join_scale and result.graph is not None:
        factor = -(-args.join_scale // len(result.graph.summaries))
        big = replicated_graph(result.graph, factor)
        started, cpu = time.perf_counter(), time.process_time()
        big.join()
        joined, join_cpu = time.perf_counter() - started, time.process_time() - cpu
        paths = big.paths()
        figures["replicated_join"] = {
            "accounts": len(big.summaries),
            "callers": sum(len(s.callers) for s in big.summaries.values()),
            "join_s": round(joined, 2),
            "join_cpu_s": round(join_cpu, 2),
            "paths_s": round(time.perf_counter() - started - joined, 2),
            "engine_decisions": big.decisions,
            "answers_reused": big.reused,
            "edges": sum(1 for _ in big.edges()),
            "paths": len(paths),
            "parent_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
