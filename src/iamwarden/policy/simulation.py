"""Evaluating a *request document*: the JSON form of one request and every policy that applies to it.

The format (``docs/simulate.md`` documents it for users)::

    {"request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                 "resource": "arn:aws:s3:::bucket/key", "resource_account": "111122223333",
                 "context": {"aws:SourceIp": "10.1.2.3", "aws:TagKeys": ["a", "b"]}},
     "identity_policies": [doc, {"name": "ReadOnly", "document": doc}],
     "resource_policy": doc, "permission_boundary": doc, "session_policy": doc or [doc, ...],
     "scps": [[root docs], [OU docs], [account docs]], "rcps": [[...]], "management_account": false}

Every problem in the document (its own fields and every policy in it) is gathered into one
``InputError("request", [...])`` with JSON paths such as ``$.identity_policies[1].Statement[0].Effect``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iamwarden.errors import InputError, Problem, json_path
from iamwarden.policy.decision import Decision
from iamwarden.policy.evaluation import Request, evaluate
from iamwarden.policy.language import Path, Policy, parse_policy
from iamwarden.policy.matching import parse_principal

SOURCE = "request"
DOCUMENT_KEYS = frozenset(
    {
        "request",
        "identity_policies",
        "resource_policy",
        "permission_boundary",
        "session_policy",
        "scps",
        "rcps",
        "management_account",
    }
)
REQUEST_KEYS = frozenset({"principal", "action", "resource", "resource_account", "context"})


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(Problem(json_path(path), message))

    def policy(self, raw: Any, path: Path, default_name: str) -> Policy | None:
        name = default_name
        doc = raw
        doc_path = path
        if isinstance(raw, Mapping) and "document" in raw and "Statement" not in raw:
            extra = set(raw) - {"name", "document"}
            if extra:
                self.problem(path, f"a named policy has only 'name' and 'document' (not {', '.join(sorted(extra))})")
            if "name" in raw:
                if isinstance(raw["name"], str) and raw["name"]:
                    name = raw["name"]
                else:
                    self.problem((*path, "name"), "a policy name must be a non-empty string")
            doc = raw["document"]
            doc_path = (*path, "document")
        try:
            return parse_policy(doc, name=name, source=SOURCE, base_path=doc_path)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def policy_list(self, raw: Any, path: Path, what: str) -> list[Policy]:
        if not isinstance(raw, list):
            self.problem(path, f"{what} must be a list of policy documents")
            return []
        out = []
        for i, item in enumerate(raw):
            p = self.policy(item, (*path, i), json_path((*path, i))[2:])
            if p is not None:
                out.append(p)
        return out

    def levels(self, raw: Any, path: Path, what: str) -> list[list[Policy]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, f"{what} must be a list of levels (root first), each a list of policy documents")
            return []
        return [self.policy_list(level, (*path, i), f"{what} level") for i, level in enumerate(raw)]

    def context(self, raw: Any, path: Path) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problem(path, "context must be an object of {key: value}")
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            kp = (*path, key)
            if not key:
                self.problem(kp, "a context key must not be empty")
                continue
            items = value if isinstance(value, list) else [value]
            bad = [v for v in items if not isinstance(v, str | int | float | bool) or v is None]
            if bad:
                self.problem(kp, "a context value must be a string, number, boolean, or a list of them")
                continue
            out[key] = value
        return out


def read_request_document(doc: Any) -> tuple[Request, dict[str, Any]]:
    """Validate a request document and compile its policies: the :class:`Request` and the keyword arguments of
    :func:`~iamwarden.policy.evaluation.evaluate`. Raises ``InputError("request", problems)``."""
    reader = _Reader()
    if not isinstance(doc, Mapping):
        raise InputError(SOURCE, Problem("$", "a request document must be a JSON object"))
    for key in doc:
        if key not in DOCUMENT_KEYS:
            reader.problem((key,), f"unknown field {key!r} (expected {', '.join(sorted(DOCUMENT_KEYS))})")
    req = doc.get("request")
    principal = action = ""
    resource = "*"
    resource_account: str | None = None
    context: dict[str, Any] = {}
    if not isinstance(req, Mapping):
        reader.problem(("request",), "a request document needs a 'request' object")
    else:
        for key in req:
            if key not in REQUEST_KEYS:
                reader.problem(("request", key), f"unknown field {key!r} (expected {', '.join(sorted(REQUEST_KEYS))})")
        raw_principal = req.get("principal")
        if not isinstance(raw_principal, str) or not raw_principal:
            reader.problem(("request", "principal"), "principal must be a non-empty string (an ARN or service name)")
        elif parse_principal(raw_principal) is None:
            reader.problem(
                ("request", "principal"),
                f"{raw_principal!r} is not an IAM user, role, assumed-role session, account root or federated-user "
                "ARN, nor a service principal name",
            )
        else:
            principal = raw_principal
        raw_action = req.get("action")
        if not isinstance(raw_action, str) or not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?_.-]+", raw_action or ""):
            reader.problem(("request", "action"), "action must be a string of the form service:Action")
        else:
            action = raw_action
        raw_resource = req.get("resource", "*")
        if not isinstance(raw_resource, str) or not raw_resource:
            reader.problem(("request", "resource"), "resource must be a non-empty string (an ARN or *)")
        else:
            resource = raw_resource
        raw_account = req.get("resource_account")
        if raw_account is not None:
            if isinstance(raw_account, str) and re.fullmatch(r"\d{12}", raw_account):
                resource_account = raw_account
            else:
                reader.problem(("request", "resource_account"), "resource_account must be a 12-digit account id")
        context = reader.context(req.get("context"), ("request", "context"))

    identity = reader.policy_list(doc.get("identity_policies", []), ("identity_policies",), "identity_policies")
    resource_policy = (
        reader.policy(doc["resource_policy"], ("resource_policy",), "resource_policy")
        if doc.get("resource_policy") is not None
        else None
    )
    boundary = (
        reader.policy(doc["permission_boundary"], ("permission_boundary",), "permission_boundary")
        if doc.get("permission_boundary") is not None
        else None
    )
    raw_session = doc.get("session_policy")
    sessions: list[Policy] = []
    if isinstance(raw_session, list):
        sessions = reader.policy_list(raw_session, ("session_policy",), "session_policy")
    elif raw_session is not None:
        one = reader.policy(raw_session, ("session_policy",), "session_policy")
        sessions = [one] if one is not None else []
    scps = reader.levels(doc.get("scps"), ("scps",), "scps")
    rcps = reader.levels(doc.get("rcps"), ("rcps",), "rcps")
    management = doc.get("management_account", False)
    if not isinstance(management, bool):
        reader.problem(("management_account",), "management_account must be true or false")
        management = False
    if reader.problems:
        raise InputError(SOURCE, reader.problems)
    request = Request(principal, action, resource, context, resource_account)
    kwargs: dict[str, Any] = {
        "identity_policies": identity,
        "resource_policy": resource_policy,
        "permission_boundary": boundary,
        "session_policy": sessions or None,
        "scps": scps,
        "rcps": rcps,
        "management_account": management,
    }
    return request, kwargs


def evaluate_request_document(doc: Mapping[str, Any]) -> Decision:
    """Validate, compile and decide one request document."""
    request, kwargs = read_request_document(doc)
    return evaluate(request, **kwargs)
