"""Cross-account edges and paths over a small organization, each decided by the engine on both sides."""

from __future__ import annotations

import pickle
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.cross_account import CrossAccountGraph, admin_node, summarize_account
from iamwarden.model import Account
from tests.analysis.cross_account.org import ADMIN_POLICY, ORG_ID, ROOT, AccountSpec, OrgSpec, allow, deny, doc, trust

MGMT, WORK_A, WORK_B, SECURITY = "111111111111", "222222222222", "333333333333", "444444444444"
OU_A, OU_B = "ou-t001-worka001", "ou-t001-workb001"
VENDOR, STRANGER = "999999999999", "888888888888"


def organization() -> tuple[OrgSpec, list[Account]]:
    org = OrgSpec(MGMT)
    for node, parent in ((MGMT, ROOT), (OU_A, ROOT), (OU_B, ROOT), (WORK_A, OU_A), (WORK_B, OU_B), (SECURITY, ROOT)):
        org.place(node, parent)
    # the OU of workload A denies assuming roles of the management account; its sibling does not
    org.scp("NoMgmtRoles", doc(deny("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/*")), OU_A)

    mgmt = AccountSpec(MGMT)
    mgmt.role(
        "OrgAdmin", trust([f"arn:aws:iam::{WORK_A}:root", f"arn:aws:iam::{WORK_B}:root"]), attached=[ADMIN_POLICY]
    )
    mgmt.role(
        "VendorAudit",
        trust(VENDOR, Condition={"StringEquals": {"sts:ExternalId": "s3cr3t"}}),
        inline={"read": doc(allow("iam:Get*"))},
    )
    mgmt.role("Open", trust(f"arn:aws:iam::{STRANGER}:root"), inline={"read": doc(allow("s3:GetObject"))})

    work_a, work_b = AccountSpec(WORK_A), AccountSpec(WORK_B)
    for spec in (work_a, work_b):
        spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/OrgAdmin"))})
        spec.user("reader", inline={"read": doc(allow("s3:GetObject"))})

    security = AccountSpec(SECURITY)
    # a role in the security account that only the workload B deployer may assume, with MFA
    security.role(
        "Breakglass",
        trust(f"arn:aws:iam::{WORK_B}:user/dev", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        attached=[ADMIN_POLICY],
    )
    work_b.users[0]["UserPolicyList"].append(
        {"PolicyName": "sec", "PolicyDocument": doc(allow("sts:AssumeRole", f"arn:aws:iam::{SECURITY}:role/*"))}
    )
    return org, [org.account(s) for s in (mgmt, work_a, work_b, security)]


def graph_of(accounts: list[Account], shortcuts: bool = True) -> CrossAccountGraph:
    graph = CrossAccountGraph(shortcuts=shortcuts)
    for account in accounts:
        summary = summarize_account(AnalysisContext(account))
        graph.add(pickle.loads(pickle.dumps(summary)), account.organization)  # what a worker process sends back
    graph.join()
    return graph


def test_ou_scp_blocks_one_account_and_not_its_sibling() -> None:
    _, accounts = organization()
    graph = graph_of(accounts)
    edges = {(h.source, h.target, h.kind) for h in graph.edges()}
    org_admin = f"arn:aws:iam::{MGMT}:role/OrgAdmin"
    assert (f"arn:aws:iam::{WORK_B}:user/dev", org_admin, "assume") in edges
    assert (f"arn:aws:iam::{WORK_A}:user/dev", org_admin, "assume") not in edges
    assert (admin_node(WORK_A), org_admin, "as_admin") not in edges  # the SCP binds its administrators too
    paths = graph.paths_from(f"arn:aws:iam::{WORK_B}:user/dev")
    to_mgmt = next(p for p in paths if p.target_account == MGMT)
    assert [(h.source_account, h.target_account, h.kind) for h in to_mgmt.hops] == [
        (WORK_B, MGMT, "assume"),
        (MGMT, MGMT, "admin"),
    ]
    assert not to_mgmt.conditional
    assert graph.paths_from(f"arn:aws:iam::{WORK_A}:user/dev") == []


def test_without_the_scp_both_siblings_reach_the_management_account() -> None:
    org, accounts = organization()
    org.policies = [p for p in org.policies if p.name != "NoMgmtRoles"]
    accounts = [replace(a, organization=org.organization(a.account_id)) for a in accounts]
    graph = graph_of(accounts)
    sources = {p.source for p in graph.paths() if p.target_account == MGMT}
    assert {f"arn:aws:iam::{WORK_A}:user/dev", f"arn:aws:iam::{WORK_B}:user/dev"} <= sources


def test_condition_keys_make_a_conditional_edge() -> None:
    _, accounts = organization()
    graph = graph_of(accounts)
    path = next(p for p in graph.paths_from(f"arn:aws:iam::{WORK_B}:user/dev") if p.target_account == SECURITY)
    assert path.conditional
    assert path.hops[0].conditions == ("aws:MultiFactorAuthPresent",)


def test_trusts_outside_the_organization() -> None:
    _, accounts = organization()
    graph = graph_of(accounts)
    found = {(e.role.rsplit("/", 1)[-1], e.external_account, e.decision, e.external_id) for e in graph.external}
    assert found == {("VendorAudit", VENDOR, "conditional", True), ("Open", STRANGER, "open", False)}


def test_an_rcp_denying_outsiders_closes_the_open_trust() -> None:
    org, accounts = organization()
    org.scp(
        "OrgOnly",
        doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-testorg001"}},
            }
        ),
        ROOT,
        kind="RESOURCE_CONTROL_POLICY",
    )
    org.scp(  # attached by AWS at every level once RCPs are enabled
        "RcpFull",
        doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
        ROOT,
        *org.parents,
        kind="RESOURCE_CONTROL_POLICY",
    )
    security = next(a for a in accounts if a.account_id == SECURITY)
    open_role = AccountSpec(SECURITY)
    open_role.role("Open", trust(f"arn:aws:iam::{STRANGER}:root"))
    # the management account's resources are outside RCPs: its open trust stays open; a member's is closed
    accounts = [a for a in accounts if a is not security]
    accounts = [replace(a, organization=org.organization(a.account_id)) for a in accounts]
    accounts.append(org.account(open_role))
    graph = graph_of(accounts)
    found = {(e.account_id, e.decision) for e in graph.external if e.role.endswith("/Open")}
    assert found == {(MGMT, "open"), (SECURITY, "denied")}


def test_the_summary_keeps_every_policy_that_decides() -> None:
    """A caller's summary keeps only the identity policies with a statement covering sts:AssumeRole: the engine's
    decision on them equals its decision on all of the caller's policies."""
    import orjson

    from iamwarden.analysis.principals import principal_policies
    from iamwarden.policy import Request, evaluate, parse_policy

    _, accounts = organization()
    spec = AccountSpec(WORK_B)
    spec.user(
        "mixed",
        inline={
            "a": doc(allow("s3:*"), deny("sts:AssumeRole", f"arn:aws:iam::{SECURITY}:role/*")),
            "b": doc(allow("sts:*")),
            "c": doc(allow("ec2:*")),
        },
    )
    accounts.append(OrgSpec(MGMT).account(spec))
    anyone = parse_policy(trust("*"), name="trust")
    for account in accounts:
        context = AnalysisContext(account)
        summary = summarize_account(context)
        for caller in summary.callers:
            principal = account.principals_by_arn[caller.arn]
            full = principal_policies(context, principal).identity  # type: ignore[arg-type]
            kept = [parse_policy(orjson.loads(summary.documents[i]), name="kept") for i in caller.identity]
            assert len(kept) <= len(full)
            for role in (f"arn:aws:iam::{a}:role/R" for a in (MGMT, SECURITY, WORK_A)):
                request = Request(caller.arn, "sts:AssumeRole", role)
                assert (
                    evaluate(request, identity_policies=full, resource_policy=anyone).decision
                    == evaluate(request, identity_policies=kept, resource_policy=anyone).decision
                )


def test_grouped_callers_get_the_engines_answer_for_each() -> None:
    """Asking the engine once per group of callers with the same policies gives the edges asking each one gives,
    also when a trust tells principals apart by aws:PrincipalArn."""
    org = OrgSpec(MGMT)
    for node, parent in ((MGMT, ROOT), (OU_B, ROOT), (WORK_B, OU_B)):
        org.place(node, parent)
    mgmt = AccountSpec(MGMT)
    mgmt.role("OrgAdmin", trust(f"arn:aws:iam::{WORK_B}:root"), attached=[ADMIN_POLICY])
    mgmt.role(
        "DevOnly",
        trust(
            f"arn:aws:iam::{WORK_B}:root",
            Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{WORK_B}:user/dev*"}},
        ),
        attached=[ADMIN_POLICY],
    )
    work_b = AccountSpec(WORK_B)
    hop = {"hop": doc(allow("sts:AssumeRole", "*"))}
    for name in ("dev1", "dev2", "ops1", "ops2"):
        work_b.user(name, inline=hop)
    accounts = [org.account(mgmt), org.account(work_b)]
    graphs = []
    for shortcuts in (True, False):
        graph = CrossAccountGraph(shortcuts=shortcuts)
        for account in accounts:
            graph.add(summarize_account(AnalysisContext(account)), account.organization)
        graph.join()
        graphs.append(graph)
    grouped_edges, single_edges = ({(h.source, h.target, h.kind, h.conditions) for h in g.edges()} for g in graphs)
    assert grouped_edges == single_edges
    dev_only = {h.source for h in graphs[0].edges() if h.target.endswith("role/DevOnly") and h.kind == "assume"}
    assert {f"arn:aws:iam::{WORK_B}:user/dev1", f"arn:aws:iam::{WORK_B}:user/dev2"} <= dev_only
    assert not any(":user/ops" in s for s in dev_only)
    assert graphs[0].decisions < graphs[1].decisions


def test_shortcuts_change_no_edge_of_the_organization() -> None:
    _, accounts = organization()
    fast, slow = graph_of(accounts), graph_of(accounts, shortcuts=False)
    assert {(h.source, h.target, h.kind, h.conditions) for h in fast.edges()} == {
        (h.source, h.target, h.kind, h.conditions) for h in slow.edges()
    }
    assert fast.paths() == slow.paths()


def test_an_open_trust_is_decided_once_per_place_and_policies_with_the_engines_answer_for_each() -> None:
    """A Principal "*" trust: callers of other accounts with the same policy texts, SCPs and OU path get the answer
    the engine gives each of them (compared with asking about every caller), also where a trust, an SCP or an
    identity policy reads aws:PrincipalAccount (then they are asked apart)."""
    org = OrgSpec(MGMT)
    accounts_a = ("222222222221", "222222222222", "222222222223")
    accounts_b = ("333333333331", "333333333332")
    for node, parent in ((MGMT, ROOT), (OU_A, ROOT), (OU_B, ROOT)):
        org.place(node, parent)
    for account in accounts_a:
        org.place(account, OU_A)
    for account in accounts_b:
        org.place(account, OU_B)
    org.scp("NoMgmtRoles", doc(deny("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/Guarded")), OU_A)
    in_org = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    mgmt = AccountSpec(MGMT)
    mgmt.role("Open", trust("*", Condition=in_org), attached=[ADMIN_POLICY])
    mgmt.role("Guarded", trust("*", Condition=in_org), attached=[ADMIN_POLICY])
    mgmt.role(
        "OneAccount",
        trust("*", Condition={"StringEquals": {"aws:PrincipalAccount": accounts_b[0]}}),
        attached=[ADMIN_POLICY],
    )
    mgmt.role("WithMfa", trust("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), attached=[])
    specs = [mgmt]
    for account in (*accounts_a, *accounts_b):
        spec = AccountSpec(account)
        spec.user("dev", inline={"hop": doc(allow("sts:AssumeRole", f"arn:aws:iam::{MGMT}:role/*"))})
        spec.user("ops", inline={"hop": doc(allow("sts:AssumeRole", "*"))})
        spec.user("reader", inline={"read": doc(allow("s3:GetObject"))})
        own = {"own": doc(allow("sts:AssumeRole", "*", Condition={"StringEquals": {"aws:PrincipalAccount": account}}))}
        spec.user("self", inline=own)
        specs.append(spec)
    accounts = [org.account(s) for s in specs]
    fast, slow = graph_of(accounts), graph_of(accounts, shortcuts=False)
    assert {(h.source, h.target, h.kind, h.conditions, h.statements) for h in fast.edges()} == {
        (h.source, h.target, h.kind, h.conditions, h.statements) for h in slow.edges()
    }
    assert fast.paths() == slow.paths()
    assert fast.reused > 0
    assert fast.decisions < slow.decisions
    guarded = {h.source_account for h in fast.edges() if h.target.endswith("role/Guarded") and h.kind == "assume"}
    assert guarded == set(accounts_b)
    one = {h.source_account for h in fast.edges() if h.target.endswith("role/OneAccount")}
    assert one == {accounts_b[0]}
    mfa = [h for h in fast.edges() if h.target.endswith("role/WithMfa") and h.kind == "assume"]
    assert mfa and all(h.conditions == ("aws:MultiFactorAuthPresent",) for h in mfa)


def test_an_edge_cites_the_trust_policy_of_its_own_role_when_others_have_the_same_text() -> None:
    org = OrgSpec(MGMT)
    for node, parent in ((MGMT, ROOT), (OU_A, ROOT), (WORK_A, OU_A), (WORK_B, OU_A)):
        org.place(node, parent)
    specs = []
    for account in (WORK_A, WORK_B):
        spec = AccountSpec(account)
        spec.role("Access", trust(f"arn:aws:iam::{MGMT}:root"), attached=[ADMIN_POLICY])
        specs.append(spec)
    mgmt = AccountSpec(MGMT)
    mgmt.user("ops", inline={"hop": doc(allow("sts:AssumeRole", "*"))})
    graph = graph_of([org.account(s) for s in (mgmt, *specs)])
    edges = [h for h in graph.edges() if h.kind == "assume"]
    assert {h.target_account for h in edges} == {WORK_A, WORK_B}
    for h in edges:
        assert h.statements == (f"{h.target} trust policy statement #0",)


def test_the_graph_does_not_depend_on_the_order_accounts_arrive_in() -> None:
    """A bundle scan adds each account's summary as its worker finishes: the graph's answers (external trusts
    included, which are listed in the order they were decided) are the same whatever that order."""
    org = OrgSpec(MGMT)
    for node, parent in ((MGMT, ROOT), (WORK_A, ROOT), (WORK_B, ROOT)):
        org.place(node, parent)
    specs = [AccountSpec(a) for a in (MGMT, WORK_A, WORK_B)]
    for spec in specs:
        spec.role("Vendor", trust(VENDOR), inline={"read": doc(allow("s3:GetObject"))})
        spec.role("Hub", trust(f"arn:aws:iam::{MGMT}:root"), attached=[ADMIN_POLICY])
    accounts = [org.account(s) for s in specs]
    first = graph_of(accounts).to_json()
    assert len(first["external_trusts"]) == 3 and first["paths"]
    assert graph_of(accounts[::-1]).to_json() == first
