"""Generated accounts for the escalation tests: one attacker holding exactly a technique's required actions, plus the
technique's prerequisites (an administrator role trusting the service, an existing resource, a target principal).

Every account is a real snapshot (AWS response shapes recorded with SnapshotBuilder and read back through JSON
validation, see tests/checks/harness.py), so the analysis sees what it sees in a collected account.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from iamwarden.analysis.escalation.catalogue import Technique
from iamwarden.model import Account
from tests.checks.harness import ACCOUNT, DEFAULT_DATE, PREFIX, build_case_account

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
REGION = "us-east-1"
Json = dict[str, Any]


def doc(*statements: Mapping[str, Any]) -> Json:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: str | Sequence[str], resource: str | Sequence[str] = "*", **extra: Any) -> Json:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def trust(principal: Mapping[str, Any]) -> Json:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


ROOT_TRUST = trust({"AWS": f"{PREFIX}root"})


class AccountSpec:
    """A small account in the shape of GetAccountAuthorizationDetails, plus regional records."""

    def __init__(self) -> None:
        self.users: list[Json] = []
        self.groups: list[Json] = []
        self.roles: list[Json] = []
        self.policies: dict[str, Json] = {ADMIN_POLICY: doc(allow("*"))}
        self.records: list[Json] = []
        self.functions: list[Json] = []
        self.instances: list[Json] = []

    def policy(self, name: str, document: Json) -> str:
        arn = f"{PREFIX}policy/{name}"
        self.policies[arn] = document
        return arn

    def user(
        self,
        name: str,
        inline: Mapping[str, Json] | None = None,
        attached: Iterable[str] = (),
        groups: Iterable[str] = (),
        boundary: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        entry: Json = {
            "Path": "/",
            "UserName": name,
            "UserId": f"AIDA{name.upper():0<16}"[:20],
            "Arn": f"{PREFIX}user/{name}",
            "CreateDate": DEFAULT_DATE,
            "GroupList": list(groups),
            "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        if tags:
            entry["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        self.users.append(entry)
        return entry["Arn"]  # type: ignore[no-any-return]

    def group(self, name: str, inline: Mapping[str, Json] | None = None, attached: Iterable[str] = ()) -> str:
        arn = f"{PREFIX}group/{name}"
        self.groups.append(
            {
                "Path": "/",
                "GroupName": name,
                "GroupId": f"AGPA{name.upper():0<16}"[:20],
                "Arn": arn,
                "CreateDate": DEFAULT_DATE,
                "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
                "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
            }
        )
        return arn

    def role(
        self,
        name: str,
        trust_policy: Json,
        inline: Mapping[str, Json] | None = None,
        attached: Iterable[str] = (),
        instance_profile: bool = False,
        boundary: str | None = None,
        tags: Mapping[str, str] | None = None,
        path: str = "/",
    ) -> str:
        arn = f"{PREFIX}role{path}{name}"
        entry: Json = {
            "Path": path,
            "RoleName": name,
            "RoleId": f"AROA{name.upper():0<16}"[:20],
            "Arn": arn,
            "CreateDate": DEFAULT_DATE,
            "AssumeRolePolicyDocument": trust_policy,
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached],
            "RoleLastUsed": {},
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        if tags:
            entry["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        if instance_profile:
            profile = {
                "Path": "/",
                "InstanceProfileName": name,
                "InstanceProfileId": f"AIPA{name.upper():0<16}"[:20],
                "Arn": f"{PREFIX}instance-profile/{name}",
                "CreateDate": DEFAULT_DATE,
                "Roles": [{k: entry[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate")}],
            }
            entry["InstanceProfileList"] = [profile]
        self.roles.append(entry)
        return arn

    def function(self, name: str, role_arn: str) -> str:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.functions.append({"FunctionName": name, "FunctionArn": arn, "Role": role_arn, "Runtime": "python3.12"})
        return arn

    def instance(self, instance_id: str, role_name: str) -> str:
        self.instances.append(
            {
                "InstanceId": instance_id,
                "State": {"Name": "running"},
                "IamInstanceProfile": {"Arn": f"{PREFIX}instance-profile/{role_name}", "Id": "AIPAX"},
            }
        )
        return f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}"

    def scps(self, *documents: Json) -> None:
        """An organization (this account a member, under the root) with FullAWSAccess at every level plus
        ``documents`` attached to the account."""
        self.records += [
            {
                "api": "organizations:DescribeOrganization",
                "response": {"Organization": {"Id": "o-abc", "MasterAccountId": "999988887777", "FeatureSet": "ALL"}},
            },
            {
                "api": "organizations:ListParents",
                "target": ACCOUNT,
                "response": {"Parents": [{"Id": "r-root", "Type": "ROOT"}]},
            },
        ]
        policies = [("p-full", "FullAWSAccess", doc(allow("*")), ["r-root", ACCOUNT])]
        policies += [(f"p-extra{i}", f"extra{i}", d, [ACCOUNT]) for i, d in enumerate(documents)]
        summaries = []
        for pid, name, document, targets in policies:
            summary = {"Id": pid, "Name": name, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": pid == "p-full"}
            summaries.append(summary)
            self.records += [
                {
                    "api": "organizations:DescribePolicy",
                    "target": pid,
                    "response": {"Policy": {"PolicySummary": summary, "Content": json.dumps(document)}},
                },
                {
                    "api": "organizations:ListTargetsForPolicy",
                    "target": pid,
                    "response": {
                        "Targets": [
                            {
                                "TargetId": t,
                                "Arn": f"arn:aws:organizations::999988887777:{t}",
                                "Name": t,
                                "Type": "ROOT" if t.startswith("r-") else "ACCOUNT",
                            }
                            for t in targets
                        ]
                    },
                },
            ]
        self.records.append(
            {
                "api": "organizations:ListPolicies",
                "target": "SERVICE_CONTROL_POLICY",
                "response": {"Policies": summaries},
            }
        )
        self.records.append(
            {"api": "organizations:ListPolicies", "target": "RESOURCE_CONTROL_POLICY", "response": {"Policies": []}}
        )

    def build(self) -> Account:
        details = {
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": [
                {
                    "PolicyName": arn.rsplit("/", 1)[-1],
                    "PolicyId": "ANPA" + f"{arn.rsplit('/', 1)[-1].upper():0<16}"[:16],
                    "Arn": arn,
                    "Path": "/",
                    "DefaultVersionId": "v1",
                    "AttachmentCount": 1,
                    "PolicyVersionList": [{"Document": d, "VersionId": "v1", "IsDefaultVersion": True}],
                }
                for arn, d in self.policies.items()
            ],
        }
        records = [
            {"api": "iam:GetAccountAuthorizationDetails", "response": details},
            {"api": "lambda:ListFunctions", "region": REGION, "response": {"Functions": self.functions}},
            {
                "api": "ec2:DescribeInstances",
                "region": REGION,
                "response": {"Reservations": [{"Instances": self.instances}]},
            },
            *self.records,
        ]
        return build_case_account({"no_authorization_details": True, "regions": [REGION], "records": records})


def technique_account(technique: Technique, drop: str | None = None, attacker_policy: Json | None = None) -> Account:
    """An account where ``attacker`` (a user, or a role where the technique needs one) holds exactly the technique's
    required actions on ``*`` (without ``drop``), plus the prerequisites the technique names."""
    spec = AccountSpec()
    actions = [a for a in technique.actions if a != drop]
    policy = attacker_policy or doc(allow(actions) if actions else allow("s3:GetObject"))
    as_role = technique.principal == "role"
    inline: dict[str, Json] = {}
    attached: list[str] = []
    if any(r.on == "self-policy" for r in technique.required):
        attached.append(spec.policy("attacker-policy", policy))  # the attacker's own customer-managed policy
    else:
        inline["granted"] = policy
    if as_role:
        spec.role("attacker", ROOT_TRUST, inline=inline, attached=attached)
    else:
        groups = ["team"] if any(r.on == "self-group" for r in technique.required) else []
        spec.user("attacker", inline=inline, attached=attached, groups=groups)
        if groups:
            spec.group("team", inline={"read": doc(allow("s3:ListAllMyBuckets"))})
    if any(r.on == "admin-group" for r in technique.required):
        spec.group("admins", attached=[ADMIN_POLICY])
    if technique.shape == "principal":
        harmless = spec.policy("victim-policy", doc(allow("s3:ListAllMyBuckets")))
        admin = technique.gains == "target"  # techniques that only take over need an administrator to take over
        if technique.target == "user":
            spec.user("victim", attached=[ADMIN_POLICY] if admin else [harmless])
            keys = [{"id": f"AKIAVICTIM{i}", "status": "Active"} for i in range(2 if technique.keys == "two" else 0)]
            spec.records.append(
                {
                    "api": "iam:ListAccessKeys",
                    "target": "victim",
                    "response": {
                        "AccessKeyMetadata": [
                            {
                                "UserName": "victim",
                                "AccessKeyId": k["id"],
                                "Status": "Active",
                                "CreateDate": DEFAULT_DATE,
                            }
                            for k in keys
                        ]
                    },
                }
            )
            has_password = technique.login_profile == "present"
            spec.records.append(
                {
                    "api": "iam:GetLoginProfile",
                    "target": "victim",
                    "response": {"LoginProfile": {"UserName": "victim", "CreateDate": DEFAULT_DATE}}
                    if has_password
                    else None,
                }
            )
            spec.records.append({"api": "iam:ListMFADevices", "target": "victim", "response": {"MFADevices": []}})
        else:
            spec.role("victim-role", ROOT_TRUST, attached=[ADMIN_POLICY] if admin else [harmless])
    if technique.services:
        role = spec.role(
            "service-admin",
            trust({"Service": technique.services[0]}),
            attached=[ADMIN_POLICY],
            instance_profile=technique.instance_profile or technique.resource == "ec2-instance",
        )
        if technique.resource == "lambda-function":
            spec.function("existing-function", role)
        if technique.resource == "ec2-instance":
            spec.instance("i-0123456789abcdef0", "service-admin")
    return spec.build()
