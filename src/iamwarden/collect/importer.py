"""Offline import: a directory of AWS CLI JSON outputs becomes a snapshot.

Each file is one AWS CLI call, named ``<service>-<command>[.<region>][.<name>].json`` with the service and command
spelled as the AWS CLI spells them (``docs/collect-with-aws-cli.sh`` writes such a directory)::

    iam-get-account-authorization-details.json        account-wide call
    cloudtrail-describe-trails.us-east-1.json         regional call: the region it was made in
    iam-list-access-keys.alice.json                   per-thing call: the thing (user name, key id, ARN ...)
    cloudtrail-get-trail-status.us-east-1.main.json   both (a trail name or ARN)

In ``<name>`` a ``/`` (in ARNs) is written ``%2F`` and a ``%`` is written ``%25``. A trail name is turned into its ARN
with the ``describe-trails`` output of the same region; an OIDC provider may be named by its URL host and path.

A file may hold the AWS CLI's error text instead of JSON (``An error occurred (AccessDenied) when calling ...``):
the call becomes a gap with AWS's error code, except where the error means "there is none" (``NoSuchEntity`` for the
password policy or a login profile, ``AWSOrganizationsNotInUseException``): then the response is ``null``.
Every call without a file is a ``NotCollected`` gap. Every file is checked against its raw shape
(:mod:`iamwarden.collect.raw`) and all problems are reported together, each as ``DIR/FILE: PLACE: what``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from botocore import xform_name
from pydantic import ValidationError

from iamwarden.collect.apis import APIS, GLOBAL, NO_TARGET, Api
from iamwarden.collect.authdetails import (
    ACCOUNT_ID,
    ARN,
    AUTHORIZATION_DETAILS,
    account_of,
    file_time,
    pagination_problems,
)
from iamwarden.collect.raw import EPOCH_TIMESTAMPS, CredentialReportError, adapter, parse_credential_report
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder, parse_json_bytes, problems_from_validation
from iamwarden.errors import InputError, Problem

CLI_SERVICE_NAMES: dict[str, tuple[str, ...]] = {
    "access-analyzer": ("accessanalyzer",),
    "config": ("configservice", "config"),
}
"""Where the AWS CLI names a service otherwise than its IAM prefix (the first name is the CLI's own)."""

NULL_ERRORS: dict[str, str] = {
    "iam:GetAccountPasswordPolicy": "NoSuchEntity",
    "iam:GetLoginProfile": "NoSuchEntity",
    "organizations:DescribeOrganization": "AWSOrganizationsNotInUseException",
}
"""AWS errors that mean "there is none": the response is stored as ``null``."""

FILE_NAME = re.compile(r"^(?P<service>[a-z0-9]+)-(?P<command>[a-z0-9-]+)(?:\.(?P<rest>.+?))?\.(?P<ext>json|csv)$")
REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
ERROR_TEXT = re.compile(
    r"^An error occurred \((?P<code>[^)]+)\)(?: \(reached max retries: \d+\))? when calling the (?P<operation>\w+)"
    r" operation(?: \(reached max retries: \d+\))?: ?(?P<message>.*)$",
    re.DOTALL | re.MULTILINE,
)
"""The AWS CLI's error text (on a line of its own: warnings may come first when stderr was saved too)."""
CREDENTIAL_REPORT = "iam:GetCredentialReport"
SERVICE_LAST_ACCESSED = "iam:GetServiceLastAccessedDetails"
ORG_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
"""The targets of ``organizations:ListPolicies`` (the ``--filter`` of each call)."""


def cli_name(api: Api) -> str:
    """``iam:ListMFADevices`` -> ``iam-list-mfa-devices``: how files of this API are named."""
    return f"{CLI_SERVICE_NAMES.get(api.service, (api.service,))[0]}-{xform_name(api.operation, '-')}"


API_BY_CLI_NAME: dict[str, Api] = {
    f"{service}-{xform_name(api.operation, '-')}": api
    for api in APIS
    for service in CLI_SERVICE_NAMES.get(api.service, (api.service,))
}


def encode_name(name: str) -> str:
    """A target as written in a file name (``/`` cannot be)."""
    return name.replace("%", "%25").replace("/", "%2F")


def file_name(api: Api, region: str = GLOBAL, target: str = NO_TARGET) -> str:
    """The file name an AWS CLI output of this call has in an import directory (``<region>``, ``<name>`` where the
    region or target is not one in particular)."""
    parts = [cli_name(api)]
    if api.regional:
        parts.append("<region>" if region == GLOBAL else region)
    if api.targeted:
        parts.append("<name>" if target == NO_TARGET else encode_name(target))
    return ".".join(parts) + ".json"


class DirectoryInputError(InputError):
    """Bad files in one directory. Each problem's place starts with its file's name; each line reads
    ``DIR/FILE: PLACE: what`` (``DIR: what`` for a problem of the directory as a whole)."""

    def _line(self, problem: Problem) -> str:
        if not problem.place:
            return f"{self.source}: {problem.message}"
        return f"{self.source.rstrip('/')}/{problem}"

    def one_line(self) -> str:
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''}; --verbose lists them)" if more else ""
        return self._line(self.problems[0]) + tail

    def all_lines(self) -> list[str]:
        return [self._line(p) for p in self.problems]


@dataclass(frozen=True, slots=True)
class _Call:
    """One file: the call it holds, with its target as named in the file (a trail name is mapped later)."""

    file: str
    api: Api
    region: str
    name: str


@dataclass(slots=True)
class _Answer:
    call: _Call
    response: Any = None
    error_code: str | None = None
    error_message: str = ""


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, place: str, message: str) -> None:
        self.items.append(Problem(f"{file}: {place}" if place else file, message))

    def extend(self, file: str, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(file, problem.place, problem.message)


def import_directory(
    path: str | Path,
    *,
    account_id: str | None = None,
    collected_at: datetime | None = None,
) -> Snapshot:
    """Read a directory of AWS CLI outputs as a snapshot (``source`` ``"import"``).

    ``account_id`` is needed only when no file tells it (``sts-get-caller-identity.json``, or ARNs inside the files).
    ``collected_at`` defaults to the time the newest file was written. Bad input raises :class:`InputError`
    (a :class:`DirectoryInputError` listing every problem of every file).
    """
    directory = Path(path)
    source = str(path)
    if account_id is not None and not ACCOUNT_ID.match(account_id):
        raise InputError("--account-id", Problem("", f"{account_id!r} is not a 12-digit AWS account id"))
    if not directory.is_dir():
        raise InputError(source, Problem("", "not a directory" if directory.exists() else "no such directory"))
    problems = _Problems()
    calls: list[_Call] = []
    files = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    for file in files:
        parsed = _parse_name(file.name)
        if isinstance(parsed, str):
            problems.add(file.name, "", parsed)
        else:
            calls.append(parsed)
    if not calls and not problems.items:
        raise InputError(source, Problem("", "holds no AWS CLI output (docs/collect-with-aws-cli.sh writes them)"))

    # the files with a known name are read even when others are not: every problem of every file is reported at once
    answers = [answer for call in calls if (answer := _read(directory / call.file, call, problems)) is not None]
    keyed = _key_answers(answers, problems)
    identity = _account(keyed, account_id, problems)
    if problems.items:
        raise DirectoryInputError(source, problems.items)
    if identity is None:
        raise InputError(
            source,
            Problem("", "no file tells the account id: add sts-get-caller-identity.json or pass --account-id"),
        )

    regions = sorted({call.region for call in calls if call.api.regional})
    builder = SnapshotBuilder(
        account_id=identity[0],
        partition=identity[1],
        regions=regions,
        source="import",
        options={"imported_from": directory.resolve().name, "files": len(calls)},
        collected_at=collected_at or max(file_time(directory / call.file) for call in calls),
    )
    for (api_key, region, target), answer in sorted(keyed.items()):
        if answer.error_code is None:
            builder.record(api_key, answer.response, region=region, target=target)
        else:
            builder.gap(api_key, answer.error_code, answer.error_message, region=region, target=target)
    for api, region, target in _missing(keyed, regions, identity[0]):
        message = f"file {file_name(api, region, target)} not in {source}"
        builder.gap(api.key, "NotCollected", message, region=region, target=target)
    return builder.build()


# --- names ----------------------------------------------------------------------------------------------------


def _parse_name(name: str) -> _Call | str:
    """The call a file name stands for, or why it stands for none."""
    match = FILE_NAME.match(name)
    expected = "<service>-<command>[.<region>][.<name>].json, as the AWS CLI spells them"
    if not match:
        return f"not an AWS CLI output name ({expected})"
    api = API_BY_CLI_NAME.get(f"{match['service']}-{match['command']}")
    if api is None:
        return f"not a call iamwarden reads ({expected}; docs/snapshot-format.md lists them)"
    rest = match["rest"]
    if match["ext"] == "csv" and (api.key != CREDENTIAL_REPORT or rest is not None):
        return "only the credential report may be CSV (iam-get-credential-report.csv)"
    region, target = GLOBAL, NO_TARGET
    if api.regional:
        head, _, tail = (rest or "").partition(".")
        if not REGION.match(head):
            return f"needs the region it was called in: {file_name(api)}"
        region, rest = head, tail or None
    if api.targeted:
        if rest is None:
            return f"needs the target (user name, key id, ARN ...) in the name: {file_name(api, region)}"
        target = unquote(rest)
    elif rest is not None:
        where = "a region" if api.regional else "neither a region nor a name (an account-wide call)"
        return f"unexpected {rest!r}: {cli_name(api)} takes {where}"
    return _Call(name, api, region, target)


# --- contents -------------------------------------------------------------------------------------------------


def _read(path: Path, call: _Call, problems: _Problems) -> _Answer | None:
    """The answer in one file, validated against its API's raw shape; ``None`` (and problems) when it is bad."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(call.file, "", exc.strerror or str(exc))
        return None
    data = _utf8(data)
    text = data.decode("utf-8", errors="replace").strip()
    error = ERROR_TEXT.search(text) if not text.startswith(("{", "[")) else None
    if error:
        return _error_answer(call, error, problems)
    if not text:
        problems.add(call.file, "", "empty file (a failed AWS CLI call? its error text goes to stderr)")
        return None
    if path.suffix == ".csv":
        doc: Any = {"Content": data.decode("utf-8", errors="replace")}
        if not _check_credential_report(doc["Content"], call.file, "", problems):
            return None
    else:
        try:
            doc = parse_json_bytes(data, call.file)
        except InputError as exc:
            problems.extend(call.file, exc.problems)
            return None
        if call.api.key == CREDENTIAL_REPORT and not _decode_credential_report(doc, call.file, problems):
            return None
    found = pagination_problems(doc)
    try:
        response = adapter(call.api.key).validate_python(doc, context={EPOCH_TIMESTAMPS: True})
    except ValidationError as exc:
        found.extend(problems_from_validation(exc))
    if found:
        problems.extend(call.file, found)
        return None
    if isinstance(response, dict):
        response = {k: v for k, v in response.items() if k not in PAGING_FIELDS}
    if call.api.key == SERVICE_LAST_ACCESSED and response["JobStatus"] != "COMPLETED":
        reason = (
            response.get("Error", {}).get("Message", "no reason given") if response["JobStatus"] == "FAILED" else ""
        )
        message = f"the job {response['JobStatus']}" + (f": {reason}" if reason else " (not finished when saved)")
        return _Answer(call, error_code="Error", error_message=message)
    return _Answer(call, _without_secrets(response))


PAGING_FIELDS = frozenset({"IsTruncated", "Marker", "NextToken"})
"""Fields of one page, meaningless once the pages are merged (the live collector drops them too)."""


SECRET_FIELDS = frozenset({"Base32StringSeed", "QRCodePNG"})
"""A virtual MFA device's seed (as base64 text in AWS CLI output): a snapshot never keeps it (the live collector drops
every binary field)."""


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def _utf8(data: bytes) -> bytes:
    """UTF-8 without a byte order mark (Windows PowerShell's ``>`` writes UTF-16 with one)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return data.removeprefix(b"\xef\xbb\xbf")


def _error_answer(call: _Call, error: re.Match[str], problems: _Problems) -> _Answer | None:
    """The answer in a file holding the AWS CLI's error text: of this call, or of the call that has to come first
    (``generate-credential-report``, ``generate-service-last-accessed-details``)."""
    operation = error["operation"]
    first = [action.split(":", 1)[1] for action in call.api.extra_actions]
    if operation != call.api.operation and operation not in first:
        problems.add(
            call.file,
            f"line {error.string[: error.start()].count(chr(10)) + 1}",
            f"holds the error of {operation}, not of {call.api.operation}: a file from another call?",
        )
        return None
    message = error["message"].strip().splitlines()[0] if error["message"].strip() else ""
    if operation != call.api.operation:
        return _Answer(call, error_code=error["code"], error_message=f"{operation}: {message}")
    if NULL_ERRORS.get(call.api.key) == error["code"]:
        return _Answer(call, None)
    return _Answer(call, error_code=error["code"], error_message=message)


def _decode_credential_report(doc: Any, file: str, problems: _Problems) -> bool:
    """``Content`` of ``get-credential-report`` is base64: store the CSV it encodes (as the live collector does)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("Content"), str):
        return True  # the shape check says what is wrong
    try:
        text = base64.b64decode(doc["Content"], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        problems.add(file, "$.Content", "not base64 text of a UTF-8 CSV (the AWS CLI prints the report base64-encoded)")
        return False
    doc["Content"] = text
    return _check_credential_report(text, file, "$.Content ", problems)


def _check_credential_report(text: str, file: str, where: str, problems: _Problems) -> bool:
    try:
        parse_credential_report(text)
    except CredentialReportError as exc:
        problems.add(file, f"{where}line {exc.line}".strip(), str(exc).split(": ", 1)[1])
        return False
    return True


# --- keys, targets, account -----------------------------------------------------------------------------------

_Key = tuple[str, str, str]


def _key_answers(answers: list[_Answer], problems: _Problems) -> dict[_Key, _Answer]:
    """Every answer by (api, region, target), trail names and OIDC provider hosts turned into ARNs."""
    keyed: dict[_Key, _Answer] = {}
    untargeted = {(a.call.api.key, a.call.region): a for a in answers if not a.call.api.targeted}
    for answer in answers:
        call = answer.call
        target: str | None = call.name
        if call.api.key in ("cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"):
            target = _trail_arn(call, untargeted.get(("cloudtrail:DescribeTrails", call.region)), problems)
        elif call.api.key == "iam:GetOpenIDConnectProvider" and not call.name.startswith("arn:"):
            target = _oidc_arn(call, untargeted.get(("iam:ListOpenIDConnectProviders", GLOBAL)), problems)
        if target is None:
            continue
        key = (call.api.key, call.region, target)
        if key in keyed:
            problems.add(call.file, "", f"the same call as {keyed[key].call.file}: keep one of them")
            continue
        keyed[key] = answer
    return keyed


def _trail_arn(call: _Call, trails: _Answer | None, problems: _Problems) -> str | None:
    if call.name.startswith("arn:"):
        return call.name
    listing = f"cloudtrail-describe-trails.{call.region}.json"
    if trails is None or trails.error_code is not None:
        why = "is missing" if trails is None else f"holds an error ({trails.error_code})"
        problems.add(call.file, "", f"names trail {call.name!r} but {listing} {why} to give its ARN")
        return None
    arns = [t["TrailARN"] for t in trails.response["trailList"] if t["Name"] == call.name]
    if len(arns) != 1:
        why = "is not in" if not arns else "is more than one trail in"
        problems.add(call.file, "", f"trail {call.name!r} {why} {listing}: name the file with the trail ARN")
        return None
    return str(arns[0])


def _oidc_arn(call: _Call, providers: _Answer | None, problems: _Problems) -> str | None:
    if providers is not None and providers.error_code is None:
        for entry in providers.response["OpenIDConnectProviderList"]:
            if entry["Arn"].endswith(f":oidc-provider/{call.name}"):
                return str(entry["Arn"])
    problems.add(
        call.file,
        "",
        f"OIDC provider {call.name!r} is not in iam-list-open-id-connect-providers.json: name the file with its ARN",
    )
    return None


def _account(keyed: dict[_Key, _Answer], account_id: str | None, problems: _Problems) -> tuple[str, str] | None:
    """``(account id, partition)``: from sts, else the IAM entities, else the credential report, else any ARN."""

    def response(api: str) -> tuple[Any, str] | None:
        answer = keyed.get((api, GLOBAL, NO_TARGET))
        if answer is None or answer.error_code is not None:
            return None
        return answer.response, answer.call.file

    told: list[tuple[str, str, str, str]] = []  # account, partition, file, place
    if (sts := response("sts:GetCallerIdentity")) is not None:
        if not ACCOUNT_ID.match(sts[0]["Account"]):
            problems.add(sts[1], "$.Account", f"{sts[0]['Account']!r} is not a 12-digit AWS account id")
            return None
        match = ARN.match(sts[0]["Arn"])
        told.append((sts[0]["Account"], match["partition"] if match else "aws", sts[1], "$.Account"))
    if (details := response(AUTHORIZATION_DETAILS)) is not None and (found := account_of(details[0])) is not None:
        told.append((found[0], found[1], details[1], found[2]))
    for account, _, file, place in told:
        if account_id is not None and account != account_id:
            problems.add(file, place, f"is account {account}, not {account_id} (--account-id)")
            return None
        if account != told[0][0]:
            problems.add(file, place, f"is account {account}, but {told[0][2]} is account {told[0][0]}")
            return None
    if told:
        return told[0][0], told[0][1]
    seen = Counter(
        (match["account"], match["partition"])
        for answer in keyed.values()
        for text in _strings(answer.response)
        if (match := ARN.match(text))
    )
    if account_id is not None:
        partitions = [partition for (account, partition), _ in seen.most_common() if account == account_id]
        return account_id, partitions[0] if partitions else "aws"
    return seen.most_common(1)[0][0] if seen else None


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value (credential report rows included: the CSV cells are split on commas)."""
    if isinstance(value, str):
        yield from value.replace("\n", ",").split(",") if "\n" in value else (value,)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _users(details: Any) -> list[str]:
    return [u["UserName"] for u in details["UserDetailList"]]


def _principals(details: Any) -> list[str]:
    return [p["Arn"] for key in ("UserDetailList", "RoleDetailList", "GroupDetailList") for p in details[key]]


_TARGET_SOURCES: dict[str, tuple[str, Callable[[Any], Iterable[str]]]] = {
    "iam:ListAccessKeys": (AUTHORIZATION_DETAILS, _users),
    "iam:ListMFADevices": (AUTHORIZATION_DETAILS, _users),
    "iam:GetLoginProfile": (AUTHORIZATION_DETAILS, _users),
    SERVICE_LAST_ACCESSED: (AUTHORIZATION_DETAILS, _principals),
    "iam:GetAccessKeyLastUsed": ("iam:ListAccessKeys", lambda r: [k["AccessKeyId"] for k in r["AccessKeyMetadata"]]),
    "iam:GetOpenIDConnectProvider": (
        "iam:ListOpenIDConnectProviders",
        lambda r: [p["Arn"] for p in r["OpenIDConnectProviderList"]],
    ),
    "cloudtrail:GetTrailStatus": ("cloudtrail:DescribeTrails", lambda r: [t["TrailARN"] for t in r["trailList"]]),
    "cloudtrail:GetEventSelectors": ("cloudtrail:DescribeTrails", lambda r: [t["TrailARN"] for t in r["trailList"]]),
    "ec2:DescribeInstanceAttribute": (
        "ec2:DescribeInstances",
        lambda r: [i["InstanceId"] for reservation in r["Reservations"] for i in reservation["Instances"]],
    ),
    "organizations:DescribePolicy": ("organizations:ListPolicies", lambda r: [p["Id"] for p in r["Policies"]]),
    "organizations:ListTargetsForPolicy": ("organizations:ListPolicies", lambda r: [p["Id"] for p in r["Policies"]]),
}
"""Per-thing calls whose things another call lists: (that call, how to read the things from its response)."""


def _missing(keyed: dict[_Key, _Answer], regions: list[str], account_id: str) -> Iterator[tuple[Api, str, str]]:
    """Every call without a file. Where the things a per-thing call is about are known (another file lists them),
    each one missing; else the whole call when not one file of it is there."""
    have: dict[tuple[str, str], set[str]] = {}
    for api_key, region, target in keyed:
        have.setdefault((api_key, region), set()).add(target)

    def expected(api: str, region: str) -> set[str] | None:
        if api == "organizations:ListParents":  # the account, then each OU up to the root
            ous = {
                parent["Id"]
                for (k, _, _), a in keyed.items()
                if k == api and a.error_code is None
                for parent in a.response["Parents"]
                if parent["Type"] == "ORGANIZATIONAL_UNIT"
            }
            return {account_id} | ous
        if api == "organizations:ListPolicies":
            return set(ORG_POLICY_TYPES)
        if api not in _TARGET_SOURCES:
            return None
        listing, things = _TARGET_SOURCES[api]
        answers = [a for (k, r, _), a in keyed.items() if k == listing and r == region and a.error_code is None]
        if not answers:
            return None
        return {thing for a in answers if a.response is not None for thing in things(a.response)}

    org = keyed.get(("organizations:DescribeOrganization", GLOBAL, NO_TARGET))
    not_in_org = org is not None and org.error_code is None and org.response is None
    for api in APIS:
        if not_in_org and api.service == "organizations" and api.key != "organizations:DescribeOrganization":
            continue  # not in an organization: nothing to ask
        for region in (regions or [GLOBAL]) if api.regional else [GLOBAL]:
            got = have.get((api.key, region), set())
            targets = expected(api.key, region) if api.targeted and (got or not api.optional) else None
            if targets is not None:
                for target in sorted(targets - got):
                    yield api, region, target
            elif not got:
                yield api, region, NO_TARGET
