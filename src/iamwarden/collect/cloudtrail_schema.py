"""The explicit schema CloudTrail records are read with, and how a dotted field name becomes a column expression.

One schema serves every engine: :data:`RECORD` describes a record as nested fields whose leaves are ``"string"``
(scalars, read as text: ``true`` becomes ``'true'``) or ``"json"`` (kept as JSON text: ``requestParameters``,
``responseElements`` and the other free-form parts). :func:`duckdb_type` writes it as a DuckDB type; a dotted name such
as ``userIdentity.sessionContext.attributes.mfaAuthenticated`` or ``requestParameters.policyArn`` resolves with
:func:`resolve` to where it lives (a struct path, or a JSON path inside a JSON field). Fields outside the schema are not
read: a rule naming one is told so when it compiles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

Field = Union[str, "Mapping[str, Field]"]

_ISSUER: Mapping[str, Field] = {k: "string" for k in ("type", "principalId", "arn", "accountId", "userName")}
_SESSION: Mapping[str, Field] = {
    "sessionIssuer": _ISSUER,
    "attributes": {"creationDate": "string", "mfaAuthenticated": "string"},
    "sourceIdentity": "string",
    "ec2RoleDelivery": "string",
    "webIdFederationData": "json",
}
_IDENTITY: Mapping[str, Field] = {
    "type": "string",
    "principalId": "string",
    "arn": "string",
    "accountId": "string",
    "accessKeyId": "string",
    "userName": "string",
    "invokedBy": "string",
    "identityProvider": "string",
    "credentialId": "string",
    "sessionContext": _SESSION,
    "onBehalfOf": "json",
}
RECORD: Mapping[str, Field] = {
    **{
        k: "string"
        for k in (
            "eventVersion",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "errorCode",
            "errorMessage",
            "requestID",
            "eventID",
            "eventType",
            "apiVersion",
            "managementEvent",
            "readOnly",
            "recipientAccountId",
            "sharedEventID",
            "vpcEndpointId",
            "vpcEndpointAccountId",
            "eventCategory",
            "sessionCredentialFromConsole",
        )
    },
    "userIdentity": _IDENTITY,
    **{
        k: "json"
        for k in (
            "requestParameters",
            "responseElements",
            "additionalEventData",
            "resources",
            "serviceEventDetails",
            "tlsDetails",
            "edgeDeviceDetails",
            "insightDetails",
            "addendum",
        )
    },
}
"""A CloudTrail record (event version 1.11), as read."""


def duckdb_type(field: Field) -> str:
    """The DuckDB type of a schema field."""
    if isinstance(field, str):
        return "JSON" if field == "json" else "VARCHAR"
    return "STRUCT(" + ", ".join(f'"{k}" {duckdb_type(v)}' for k, v in field.items()) + ")"


def duckdb_structure(field: Field = RECORD) -> str:
    """The structure DuckDB's ``json_transform`` takes for a record (JSON text): ``{"eventTime": "VARCHAR", ...}``."""

    def walk(node: Field) -> object:
        if isinstance(node, str):
            return "JSON" if node == "json" else "VARCHAR"
        return {k: walk(v) for k, v in node.items()}

    return json.dumps(walk(field))


def duckdb_columns(record: Mapping[str, Field] = RECORD) -> str:
    """The ``columns`` argument of DuckDB's ``read_json`` for a record: ``{'eventTime': 'VARCHAR', ...}``."""
    return "{" + ", ".join(f"'{k}': '{duckdb_type(v)}'" for k, v in record.items()) + "}"


@dataclass(frozen=True, slots=True)
class FieldPlace:
    """Where a dotted field name lives in the schema."""

    struct_path: tuple[str, ...]
    """Column, then struct fields: ``("userIdentity", "type")``."""
    kind: str
    """``string`` (a scalar), ``json`` (a JSON field, or a path inside it), ``struct`` (a group of fields)."""
    json_path: tuple[str, ...] = ()
    """Keys inside the JSON field (``("policyArn",)`` for ``requestParameters.policyArn``)."""


def resolve(name: str, record: Mapping[str, Field] = RECORD) -> FieldPlace | None:
    """Where the field ``name`` (dotted) lives, or ``None`` when the schema has no such field.

    >>> resolve("userIdentity.sessionContext.sessionIssuer.type")
    FieldPlace(struct_path=('userIdentity', 'sessionContext', 'sessionIssuer', 'type'), kind='string', json_path=())
    >>> resolve("requestParameters.policyArn").json_path
    ('policyArn',)
    >>> resolve("nosuchfield") is None
    True
    """
    parts = name.split(".")
    node: Field = record
    for i, part in enumerate(parts):
        if isinstance(node, str):
            if node == "json":
                return FieldPlace(tuple(parts[:i]), "json", tuple(parts[i:]))
            return None
        if part not in node:
            return None
        node = node[part]
    if isinstance(node, str):
        return FieldPlace(tuple(parts), node)
    return FieldPlace(tuple(parts), "struct")
