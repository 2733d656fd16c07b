"""Collect a snapshot from a live AWS account, read-only.

:func:`collect_account` makes every call listed in :data:`iamwarden.collect.apis.APIS` (the optional ones only when
asked), merges pages, and stores each response under its region and target with a :class:`SnapshotBuilder`. It never
makes a write call: every operation it can invoke is in ``docs/iamwarden-readonly-policy.json`` (a test proves it).

A call that fails is a *gap*, never a crash::

    AccessDenied, AccessDeniedException, UnauthorizedOperation, ...  AWS's own error code, kept as is
    Throttled        still throttled after the retries (botocore's adaptive mode, 10 retries: 11 attempts)
    RegionDisabled   an opt-in region that is not enabled, or a regional endpoint that cannot be reached
    NotCollected     not asked for, or not called because the call it depends on failed (the message says which)
    Error            any other failure, with its message

Regions are collected in parallel, one thread each, beside IAM, the credential report and Organizations (one thread
each). boto3 sessions are not thread-safe, so every client is created up front in the calling thread; clients are.

Only the first call, ``sts:GetCallerIdentity``, is fatal when it fails: without an account id there is no snapshot.
That failure is an :class:`~iamwarden.errors.InputError` (no credentials, or credentials AWS rejects).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
from botocore import xform_name
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, NoCredentialsError
from botocore.parsers import ResponseParserError

from iamwarden.collect.apis import APIS, GLOBAL, NO_TARGET, api
from iamwarden.collect.authdetails import INCOMPLETE, fill_omissions
from iamwarden.collect.snapshot import Snapshot, SnapshotBuilder
from iamwarden.errors import InputError, Problem

BOTO3_SERVICE_NAMES: dict[str, str] = {"access-analyzer": "accessanalyzer"}
"""IAM service prefix -> boto3 client name, where they differ."""

REGIONAL_SERVICES = ("cloudtrail", "access-analyzer", "config", "ec2", "lambda")
GLOBAL_SERVICES = ("sts", "iam", "organizations", "ec2")

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
"""Error codes AWS services use for throttling; still failing after retries -> gap ``Throttled``."""

REGION_DISABLED_CODES = frozenset({"UnrecognizedClientException", "AuthFailure", "InvalidClientTokenId"})
"""What a regional endpoint answers when the (opt-in) region is not enabled for the account."""

DEFAULT_RETRIES = 10
"""Retries of a failed call after the first attempt (botocore's ``retries={"max_attempts": ...}``)."""
MAX_WORKERS = 10
"""Threads collecting at once: IAM, the credential report, Organizations, and one per region."""
USER_WORKERS = 4
"""Threads making the per-user IAM calls (ListAccessKeys, ListMFADevices, GetLoginProfile ...)."""


@dataclass(frozen=True, slots=True)
class Polling:
    """How long to wait for the credential report and service-last-accessed jobs."""

    interval_s: float = 2.0
    timeout_s: float = 120.0


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One call answered or failed (``finished`` False), or every call of ``api`` in ``region`` made (True)."""

    api: str
    region: str
    target: str = NO_TARGET
    error_code: str | None = None
    finished: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a call has no answer: a gap code and a message."""

    code: str
    message: str
    region_off: bool = False
    """The region answered that it is not enabled: the rest of its calls are not made."""


class PollTimeout(Exception):
    """A report or job that AWS had not finished when we stopped waiting."""


class JobFailed(Exception):
    """A service-last-accessed job that AWS reports as FAILED."""


@dataclass(frozen=True, slots=True)
class CallResult:
    """A call's result: its response (``None`` can be a real answer, "there is none") or its failure."""

    response: Any = None
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def plan(regions: Iterable[str], service_last_accessed: bool) -> dict[str, list[str]]:
    """Every API the collector will finish, by region key (``global`` first): what a progress bar counts."""
    wanted = [a for a in APIS if service_last_accessed or not a.optional]
    units = {GLOBAL: [a.key for a in wanted if not a.regional]}
    for region in regions:
        units[region] = [a.key for a in wanted if a.regional]
    return units


# --- the entry point -----------------------------------------------------------------------------------------


def collect_account(
    session: boto3.Session,
    regions: list[str] | None,
    all_regions: bool,
    service_last_accessed: bool,
    progress: ProgressCallback | None = None,
    *,
    retries: int = DEFAULT_RETRIES,
    polling: Polling | None = None,
) -> Snapshot:
    """Collect one account. ``regions`` None means the session's region; ``all_regions`` every enabled region.

    Raises :class:`InputError` when there is no region to start from, or when ``sts:GetCallerIdentity`` fails.
    """
    home = _home_region(session, regions)
    config = Config(retries={"mode": "adaptive", "max_attempts": retries})  # retries after the first attempt
    global_clients = _clients(session, home, GLOBAL_SERVICES, config)
    identity = _caller_identity(global_clients["sts"])
    run = _Run(
        SnapshotBuilder(
            account_id=identity["Account"],
            partition=identity["Arn"].split(":")[1],
            options={
                "regions": list(regions or []),
                "all_regions": all_regions,
                "service_last_accessed": service_last_accessed,
            },
        ),
        progress or _ignore,
        polling or Polling(),
    )
    run.record("sts:GetCallerIdentity", identity)
    run.finish("sts:GetCallerIdentity")

    enabled = _describe_regions(run, global_clients["ec2"])
    chosen = _choose_regions(home, regions, all_regions, enabled)
    run.builder.regions = tuple(chosen)
    regional_clients = {region: _clients(session, region, REGIONAL_SERVICES, config) for region in chosen}

    iam, org = global_clients["iam"], global_clients["organizations"]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, 3 + len(chosen)), thread_name_prefix="iamwarden") as pool:
        jobs = [
            pool.submit(_iam, run, iam, service_last_accessed),
            pool.submit(_credential_report, run, iam),  # may wait for IAM to build the report: on its own
            pool.submit(_organizations, run, org, run.builder.account_id),
        ]
        jobs += [pool.submit(_collect_region, run, region, clients) for region, clients in regional_clients.items()]
        for job in jobs:
            job.result()  # re-raises a bug in the collector instead of losing it
    return run.builder.build()


def _ignore(event: ProgressEvent) -> None:
    del event


def _home_region(session: boto3.Session, regions: list[str] | None) -> str:
    if regions:
        return regions[0]
    if session.region_name:
        return session.region_name
    raise InputError(
        "region",
        Problem("", "no AWS region: pass --region, or set AWS_REGION / a region in your AWS profile"),
    )


def _clients(session: boto3.Session, region: str, services: Iterable[str], config: Config) -> dict[str, BaseClient]:
    return {
        service: session.client(BOTO3_SERVICE_NAMES.get(service, service), region_name=region, config=config)  # type: ignore[call-overload]
        for service in services
    }


def _caller_identity(sts: BaseClient) -> dict[str, Any]:
    where = "AWS credentials"
    try:
        response = fetch_all(sts, "GetCallerIdentity")
    except NoCredentialsError:
        raise InputError(
            where,
            Problem("", "none found: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws configure`"),
        ) from None
    except ClientError as exc:
        code, message = _client_error_parts(exc)
        raise InputError(where, Problem("sts:GetCallerIdentity", f"rejected by AWS: {code} ({message})")) from None
    except (BotoCoreError, ResponseParserError) as exc:
        raise InputError(where, Problem("sts:GetCallerIdentity", str(exc))) from None
    return response


# --- one collection run: recording, gaps, progress -------------------------------------------------------------


@dataclass
class _Run:
    builder: SnapshotBuilder
    progress: ProgressCallback
    polling: Polling
    disabled_regions: set[str] = field(default_factory=set)

    def record(self, key: str, response: Any, region: str = GLOBAL, target: str = NO_TARGET) -> None:
        self.builder.record(key, without_blobs(response), region=region, target=target)
        self.progress(ProgressEvent(key, region, target))

    def gap(self, key: str, failure: Failure, region: str = GLOBAL, target: str = NO_TARGET) -> None:
        self.builder.gap(key, failure.code, failure.message, region=region, target=target)
        self.progress(ProgressEvent(key, region, target, error_code=failure.code))

    def finish(self, *keys: str, region: str = GLOBAL) -> None:
        for key in keys:
            self.progress(ProgressEvent(key, region, finished=True))

    def skip(self, keys: Iterable[str], why: Failure, depends_on: str, region: str = GLOBAL) -> None:
        """Record that ``keys`` were not called because ``depends_on`` failed."""
        message = f"not called: it needs {depends_on}, which failed ({why.code})"
        for key in keys:
            self.gap(key, Failure("NotCollected", message), region)

    def call(
        self,
        key: str,
        fetch: Callable[[], Any],
        region: str = GLOBAL,
        target: str = NO_TARGET,
        none_on: frozenset[str] = frozenset(),
    ) -> CallResult:
        """Make one call (all its pages); store its answer or its gap. ``none_on``: error codes meaning "none"."""
        if region in self.disabled_regions:
            outcome = CallResult(failure=Failure("RegionDisabled", f"not called: {region} is not enabled"))
        else:
            outcome = _attempt(fetch, regional=region != GLOBAL, none_on=none_on)
        if outcome.failure is None:
            self.record(key, outcome.response, region, target)
        else:
            if outcome.failure.region_off:
                self.disabled_regions.add(region)
            self.gap(key, outcome.failure, region, target)
        return outcome


def _attempt(fetch: Callable[[], Any], *, regional: bool, none_on: frozenset[str] = frozenset()) -> CallResult:
    try:
        return CallResult(response=fetch())
    except ClientError as exc:
        code, message = _client_error_parts(exc)
        if code in none_on:
            return CallResult(response=None)
        return CallResult(failure=classify_client_error(code, message, regional=regional))
    except ConnectionError as exc:  # endpoint unreachable (after retries), e.g. a service or region not available
        return CallResult(failure=Failure("RegionDisabled" if regional else "Error", str(exc)))
    except (BotoCoreError, ResponseParserError) as exc:  # ResponseParserError: an answer that is not AWS's format
        return CallResult(failure=Failure("Error", f"{type(exc).__name__}: {exc}"))
    except (PollTimeout, JobFailed) as exc:
        return CallResult(failure=Failure("Error", str(exc)))
    except NotImplementedError as exc:
        # An AWS emulator running in-process (moto) raises this for an operation it lacks: still only a gap.
        return CallResult(failure=Failure("Error", f"the endpoint does not implement this call ({exc})"))


def _client_error_parts(exc: ClientError) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code") or ""), str(error.get("Message") or exc)


def classify_client_error(code: str, message: str, *, regional: bool) -> Failure:
    """The gap for an AWS error code: AWS's own code, except throttling and disabled regions, which we name."""
    if code in THROTTLING_CODES:
        return Failure("Throttled", f"{code}: still throttled after retries ({message})")
    if regional and code in REGION_DISABLED_CODES:
        return Failure("RegionDisabled", f"region not enabled for this account? {code}: {message}", region_off=True)
    return Failure(code or "Error", message)


def without_blobs(value: Any) -> Any:
    """``value`` minus every binary field. Binary fields hold secrets (an MFA device's Base32StringSeed and QRCodePNG,
    which some endpoints return in lists) or data we do not read; a snapshot keeps neither."""
    if isinstance(value, dict):
        return {k: without_blobs(v) for k, v in value.items() if not isinstance(v, bytes | bytearray)}
    if isinstance(value, list):
        return [without_blobs(v) for v in value if not isinstance(v, bytes | bytearray)]
    return value


def fetch_all(client: BaseClient, operation: str, **params: Any) -> dict[str, Any]:
    """Call ``operation`` (an AWS name such as ``ListAccessKeys``) with every page merged, minus ResponseMetadata."""
    method = xform_name(operation)
    if client.can_paginate(method):
        result: dict[str, Any] = client.get_paginator(method).paginate(**params).build_full_result()
    else:
        result = getattr(client, method)(**params)
    result.pop("ResponseMetadata", None)
    return result


def _fetcher(client: BaseClient, key: str, **params: Any) -> Callable[[], dict[str, Any]]:
    operation = api(key).operation
    return lambda: fetch_all(client, operation, **params)


# --- regions ---------------------------------------------------------------------------------------------------


def _describe_regions(run: _Run, ec2: BaseClient) -> list[str] | None:
    """The regions enabled for the account (``None`` when DescribeRegions failed)."""
    outcome = run.call("ec2:DescribeRegions", _fetcher(ec2, "ec2:DescribeRegions"))
    run.finish("ec2:DescribeRegions")
    if not outcome.ok:
        return None
    return sorted(r["RegionName"] for r in outcome.response.get("Regions", []))


def _choose_regions(home: str, regions: list[str] | None, all_regions: bool, enabled: list[str] | None) -> list[str]:
    if not all_regions:
        return list(dict.fromkeys(regions or [home]))
    if enabled is None:
        return [home]  # the DescribeRegions gap says why only one region was collected
    return enabled


# --- global: IAM, Organizations --------------------------------------------------------------------------------


def _iam(run: _Run, iam: BaseClient, service_last_accessed: bool) -> None:
    """IAM but the credential report: account-wide calls, then per user, provider and principal."""
    details = _iam_account(run, iam)
    _iam_users(run, iam, details)
    _oidc_providers(run, iam)
    _service_last_accessed(run, iam, details, asked=service_last_accessed)


def _iam_account(run: _Run, iam: BaseClient) -> CallResult:
    """The account-wide IAM calls; returns GetAccountAuthorizationDetails' outcome (users, roles, groups)."""
    details = _authorization_details(run, iam)
    simple = (
        "iam:GetAccountSummary",
        "iam:ListAccountAliases",
        "iam:ListVirtualMFADevices",
        "iam:ListServerCertificates",
        "iam:ListSAMLProviders",
        "iam:ListOrganizationsFeatures",
    )
    for key in simple:
        run.call(key, _fetcher(iam, key))
    policy = _fetcher(iam, "iam:GetAccountPasswordPolicy")
    run.call("iam:GetAccountPasswordPolicy", policy, none_on=frozenset({"NoSuchEntity"}))
    run.finish("iam:GetAccountAuthorizationDetails", "iam:GetAccountPasswordPolicy", *simple)
    return details


def _authorization_details(run: _Run, iam: BaseClient) -> CallResult:
    """GetAccountAuthorizationDetails with what the answer left out filled where AWS defines it; what cannot be filled
    is a gap ``Incomplete`` at its place (:func:`iamwarden.collect.authdetails.fill_omissions`)."""
    key = "iam:GetAccountAuthorizationDetails"
    fetch = _fetcher(iam, key)
    omitted: list[tuple[str, str]] = []

    def filled() -> dict[str, Any]:
        response = fetch()
        omitted.extend(fill_omissions(response))
        return response

    details = run.call(key, filled)
    for target, message in omitted:
        run.builder.gap(key, INCOMPLETE, message, target=target)
    return details


def _credential_report(run: _Run, iam: BaseClient) -> None:
    """GenerateCredentialReport until COMPLETE (bounded), then GetCredentialReport with Content decoded to CSV."""
    key = "iam:GetCredentialReport"
    generated = _attempt(lambda: _generate_credential_report(iam, run.polling), regional=False)
    outcome = _attempt(lambda: fetch_all(iam, "GetCredentialReport"), regional=False)
    if outcome.failure is None:
        report = dict(outcome.response)
        report["Content"] = report["Content"].decode("utf-8")
        run.record(key, report)
    else:
        failure = outcome.failure
        if generated.failure is not None:
            failure = Failure(failure.code, f"{failure.message} (GenerateCredentialReport: {generated.failure.code})")
        run.gap(key, failure)
    run.finish(key)


def _generate_credential_report(iam: BaseClient, polling: Polling) -> None:
    deadline = time.monotonic() + polling.timeout_s
    while True:
        state = fetch_all(iam, "GenerateCredentialReport").get("State")
        if state == "COMPLETE":
            return
        if time.monotonic() >= deadline:
            raise PollTimeout(f"credential report still {state} after {polling.timeout_s:.0f}s")
        time.sleep(polling.interval_s)


def _users(details: CallResult) -> list[str]:
    return [u["UserName"] for u in details.response.get("UserDetailList", [])] if details.ok else []


def _iam_users(run: _Run, iam: BaseClient, details: CallResult) -> None:
    """Per user: access keys (and each key's last use), MFA devices, login profile."""
    keys = ("iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:ListMFADevices", "iam:GetLoginProfile")
    if details.failure is not None:
        run.skip(keys, details.failure, "iam:GetAccountAuthorizationDetails")
    else:
        with ThreadPoolExecutor(max_workers=USER_WORKERS, thread_name_prefix="iamwarden-users") as pool:
            list(pool.map(lambda user: _one_user(run, iam, user), _users(details)))
    run.finish(*keys)


def _one_user(run: _Run, iam: BaseClient, user: str) -> None:
    access_keys = run.call("iam:ListAccessKeys", _fetcher(iam, "iam:ListAccessKeys", UserName=user), target=user)
    if access_keys.failure is not None:
        run.skip(["iam:GetAccessKeyLastUsed"], access_keys.failure, f"iam:ListAccessKeys for {user}")
    else:
        for key in access_keys.response.get("AccessKeyMetadata", []):
            key_id = key["AccessKeyId"]
            last_used = _fetcher(iam, "iam:GetAccessKeyLastUsed", AccessKeyId=key_id)
            run.call("iam:GetAccessKeyLastUsed", last_used, target=key_id)
    run.call("iam:ListMFADevices", _fetcher(iam, "iam:ListMFADevices", UserName=user), target=user)
    login = _fetcher(iam, "iam:GetLoginProfile", UserName=user)
    run.call("iam:GetLoginProfile", login, target=user, none_on=frozenset({"NoSuchEntity"}))


def _oidc_providers(run: _Run, iam: BaseClient) -> None:
    providers = run.call("iam:ListOpenIDConnectProviders", _fetcher(iam, "iam:ListOpenIDConnectProviders"))
    if providers.failure is not None:
        run.skip(["iam:GetOpenIDConnectProvider"], providers.failure, "iam:ListOpenIDConnectProviders")
    else:
        for provider in providers.response.get("OpenIDConnectProviderList", []):
            arn = provider["Arn"]
            get = _fetcher(iam, "iam:GetOpenIDConnectProvider", OpenIDConnectProviderArn=arn)
            run.call("iam:GetOpenIDConnectProvider", get, target=arn)
    run.finish("iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider")


def _principal_arns(details: CallResult) -> list[str]:
    found = details.response or {}
    lists = ("UserDetailList", "RoleDetailList", "GroupDetailList")
    return [item["Arn"] for name in lists for item in found.get(name, [])]


def _service_last_accessed(run: _Run, iam: BaseClient, details: CallResult, *, asked: bool) -> None:
    """Per principal (user, role, group): start a job, then poll for its result (bounded)."""
    key = "iam:GetServiceLastAccessedDetails"
    if not asked:
        run.gap(key, Failure("NotCollected", "not asked for (iamwarden collect --service-last-accessed)"))
        return
    if details.failure is not None:
        run.skip([key], details.failure, "iam:GetAccountAuthorizationDetails")
        run.finish(key)
        return
    jobs: dict[str, str] = {}
    for arn in _principal_arns(details):
        started = _attempt(partial(fetch_all, iam, "GenerateServiceLastAccessedDetails", Arn=arn), regional=False)
        if started.failure is None:
            jobs[arn] = started.response["JobId"]
        else:
            failure = started.failure
            run.gap(key, Failure(failure.code, f"GenerateServiceLastAccessedDetails: {failure.message}"), target=arn)
    for arn, job_id in jobs.items():
        run.call(key, partial(_job_result, iam, job_id, run.polling), target=arn)
    run.finish(key)


def _job_result(iam: BaseClient, job_id: str, polling: Polling) -> dict[str, Any]:
    deadline = time.monotonic() + polling.timeout_s
    while True:
        page = fetch_all(iam, "GetServiceLastAccessedDetails", JobId=job_id)
        if page.get("JobStatus") != "IN_PROGRESS":
            break
        if time.monotonic() >= deadline:
            raise PollTimeout(f"service last accessed job still IN_PROGRESS after {polling.timeout_s:.0f}s")
        time.sleep(polling.interval_s)
    if page.get("JobStatus") == "FAILED":
        raise JobFailed(f"the job FAILED: {page.get('Error', {}).get('Message', 'no reason given')}")
    services = list(page.get("ServicesLastAccessed", []))
    while page.get("IsTruncated"):
        page = fetch_all(iam, "GetServiceLastAccessedDetails", JobId=job_id, Marker=page["Marker"])
        services += page.get("ServicesLastAccessed", [])
    page.pop("Marker", None)
    page.pop("IsTruncated", None)
    return page | {"ServicesLastAccessed": services}


ORG_APIS = (
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListParents",
    "organizations:ListPolicies",
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
)
ORG_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")


def _organizations(run: _Run, org: BaseClient, account_id: str) -> None:
    """The organization, the account's OU path to the root, and every SCP and RCP with its targets."""
    organization = run.call(
        "organizations:DescribeOrganization",
        _fetcher(org, "organizations:DescribeOrganization"),
        none_on=frozenset({"AWSOrganizationsNotInUseException"}),
    )
    if organization.failure is not None:
        run.skip(ORG_APIS[1:], organization.failure, "organizations:DescribeOrganization")
    elif organization.response is not None:  # None: not in an organization, nothing more to ask
        run.call("organizations:ListRoots", _fetcher(org, "organizations:ListRoots"))
        _org_parents(run, org, account_id)
        _org_policies(run, org)
    run.finish(*ORG_APIS)


def _org_parents(run: _Run, org: BaseClient, account_id: str) -> None:
    child = account_id
    for _ in range(10):  # an OU tree is at most 5 levels deep below the root
        parents = run.call(
            "organizations:ListParents", _fetcher(org, "organizations:ListParents", ChildId=child), target=child
        )
        if parents.failure is not None or not parents.response.get("Parents"):
            return
        parent = parents.response["Parents"][0]
        if parent["Type"] == "ROOT":
            return
        child = parent["Id"]


def _org_policies(run: _Run, org: BaseClient) -> None:
    for policy_type in ORG_POLICY_TYPES:
        listed = run.call(
            "organizations:ListPolicies",
            _fetcher(org, "organizations:ListPolicies", Filter=policy_type),
            target=policy_type,
        )
        if listed.failure is not None:
            depends = f"organizations:ListPolicies for {policy_type}"
            run.skip(["organizations:DescribePolicy", "organizations:ListTargetsForPolicy"], listed.failure, depends)
            continue
        for policy in listed.response.get("Policies", []):
            policy_id = policy["Id"]
            describe = _fetcher(org, "organizations:DescribePolicy", PolicyId=policy_id)
            run.call("organizations:DescribePolicy", describe, target=policy_id)
            targets = _fetcher(org, "organizations:ListTargetsForPolicy", PolicyId=policy_id)
            run.call("organizations:ListTargetsForPolicy", targets, target=policy_id)


# --- regional: CloudTrail, Access Analyzer, Config, EC2, Lambda -------------------------------------------------


def _collect_region(run: _Run, region: str, clients: Mapping[str, BaseClient]) -> None:
    _cloudtrail(run, region, clients["cloudtrail"])
    _access_analyzer(run, region, clients["access-analyzer"])
    _config(run, region, clients["config"])
    _ec2(run, region, clients["ec2"])
    _lambda(run, region, clients["lambda"])


def _cloudtrail(run: _Run, region: str, cloudtrail: BaseClient) -> None:
    """Trails seen from this region; status and event selectors of those whose home is this region."""
    per_trail = ("cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors")
    trails = run.call("cloudtrail:DescribeTrails", _fetcher(cloudtrail, "cloudtrail:DescribeTrails"), region)
    if trails.failure is not None:
        run.skip(per_trail, trails.failure, "cloudtrail:DescribeTrails", region)
    else:
        for trail in trails.response.get("trailList", []):
            if trail.get("HomeRegion", region) != region:
                continue  # a shadow of a trail homed elsewhere: asked about in its home region
            arn = trail["TrailARN"]
            status = _fetcher(cloudtrail, "cloudtrail:GetTrailStatus", Name=arn)
            run.call("cloudtrail:GetTrailStatus", status, region, arn)
            selectors = _fetcher(cloudtrail, "cloudtrail:GetEventSelectors", TrailName=arn)
            run.call("cloudtrail:GetEventSelectors", selectors, region, arn)
    run.finish("cloudtrail:DescribeTrails", *per_trail, region=region)


def _access_analyzer(run: _Run, region: str, analyzer: BaseClient) -> None:
    run.call("access-analyzer:ListAnalyzers", _fetcher(analyzer, "access-analyzer:ListAnalyzers"), region)
    run.finish("access-analyzer:ListAnalyzers", region=region)


def _config(run: _Run, region: str, config: BaseClient) -> None:
    keys = ("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus")
    for key in keys:
        run.call(key, _fetcher(config, key), region)
    run.finish(*keys, region=region)


def _ec2(run: _Run, region: str, ec2: BaseClient) -> None:
    """Instances, and the user data of each one that is not terminated (searched later for access keys)."""
    instances = run.call("ec2:DescribeInstances", _fetcher(ec2, "ec2:DescribeInstances"), region)
    if instances.failure is not None:
        run.skip(["ec2:DescribeInstanceAttribute"], instances.failure, "ec2:DescribeInstances", region)
    else:
        for reservation in instances.response.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                if instance.get("State", {}).get("Name") == "terminated":
                    continue
                instance_id = instance["InstanceId"]
                user_data = _fetcher(ec2, "ec2:DescribeInstanceAttribute", InstanceId=instance_id, Attribute="userData")
                run.call("ec2:DescribeInstanceAttribute", user_data, region, instance_id)
    run.finish("ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", region=region)


def _lambda(run: _Run, region: str, lambda_: BaseClient) -> None:
    run.call("lambda:ListFunctions", _fetcher(lambda_, "lambda:ListFunctions"), region)
    run.finish("lambda:ListFunctions", region=region)
