"""Offline import of a directory of AWS CLI outputs (data/cli-outputs/ holds real output shapes, written by hand)."""

from __future__ import annotations

import base64
import contextlib
import copy
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamwarden.collect.apis import APIS, GLOBAL, NO_TARGET
from iamwarden.collect.importer import API_BY_CLI_NAME, DirectoryInputError, cli_name, file_name, import_directory
from iamwarden.collect.raw import CredentialReportError, parse_credential_report
from iamwarden.collect.snapshot import Snapshot
from iamwarden.errors import InputError

DATA = Path(__file__).parent / "data"
CLI_OUTPUTS = DATA / "cli-outputs"
CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "importer_cases.yaml").read_text())
TRAIL = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main"
OIDC = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
WHEN = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)


def _copy(tmp: Path, changes: Mapping[str, str | bytes | None] | None = None) -> Path:
    directory = tmp / "cli-outputs"
    shutil.copytree(CLI_OUTPUTS, directory)
    for name, content in (changes or {}).items():
        if content is None:
            (directory / name).unlink()
        else:
            (directory / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return directory


@pytest.fixture(scope="module")
def imported() -> Snapshot:
    return import_directory(CLI_OUTPUTS, collected_at=WHEN)


def test_the_envelope(imported: Snapshot) -> None:
    assert (imported.account_id, imported.partition, imported.source) == ("111122223333", "aws", "import")
    assert imported.regions == ("eu-west-1", "us-east-1")
    assert imported.collected_at == WHEN
    assert imported.options == {"imported_from": "cli-outputs", "files": 35}


def test_the_credential_report_is_stored_decoded(imported: Snapshot) -> None:
    report = imported.response("iam:GetCredentialReport")
    rows = parse_credential_report(report["Content"])
    assert [r["user"] for r in rows] == ["<root_account>", "alice", "deploy-bot"]
    assert report["GeneratedTime"] == "2026-11-28T03:12:45+00:00"


def test_per_thing_calls_are_keyed_by_their_target(imported: Snapshot) -> None:
    assert set(imported.targets("iam:ListAccessKeys")) == {"alice", "deploy-bot"}
    assert imported.response("iam:GetLoginProfile", target="deploy-bot") is None  # NoSuchEntity: no console password
    assert imported.response("iam:GetLoginProfile", target="alice")["LoginProfile"]["UserName"] == "alice"
    assert set(imported.targets("iam:GetAccessKeyLastUsed")) == {"AKIAYZ4EXAMPLEDEPLOY", "AKIAYZ4EXAMPLEOLDKEY"}
    assert set(imported.targets("iam:GetOpenIDConnectProvider")) == {OIDC}
    assert set(imported.targets("ec2:DescribeInstanceAttribute", "us-east-1")) == {"i-0a1b2c3d4e5f60718"}


def test_trail_names_become_arns_in_each_region(imported: Snapshot) -> None:
    for region in ("us-east-1", "eu-west-1"):
        assert set(imported.targets("cloudtrail:GetTrailStatus", region)) == {TRAIL}
    assert set(imported.targets("cloudtrail:GetEventSelectors", "us-east-1")) == {TRAIL}


def test_cli_v1_epoch_timestamps_become_iso_text(imported: Snapshot) -> None:
    status = imported.response("cloudtrail:GetTrailStatus", "eu-west-1", TRAIL)
    assert status["LatestDeliveryTime"] == "2026-11-28T04:31:07.291000+00:00"
    assert status["StartLoggingTime"] == 1569933000.512  # not a field iamwarden reads: kept as it was
    v2 = imported.response("cloudtrail:GetTrailStatus", "us-east-1", TRAIL)
    assert v2["LatestDeliveryTime"] == "2026-11-28T04:31:07.291000+00:00"


def test_both_service_names_of_aws_config_are_read(imported: Snapshot) -> None:
    assert imported.has("config:DescribeConfigurationRecorders", "us-east-1")  # configservice-...
    assert imported.has("config:DescribeConfigurationRecorderStatus", "us-east-1")  # config-...


def test_the_gaps(imported: Snapshot) -> None:
    gaps = {(g.api, g.region, g.target, g.error_code) for g in imported.gaps}
    assert gaps == {
        ("cloudtrail:GetEventSelectors", "eu-west-1", TRAIL, "AccessDeniedException"),
        ("config:DescribeConfigurationRecorderStatus", "eu-west-1", NO_TARGET, "NotCollected"),
        ("config:DescribeConfigurationRecorders", "eu-west-1", NO_TARGET, "NotCollected"),
        ("ec2:DescribeInstanceAttribute", "eu-west-1", NO_TARGET, "NotCollected"),
        ("ec2:DescribeInstances", "eu-west-1", NO_TARGET, "NotCollected"),
        ("iam:GetServiceLastAccessedDetails", GLOBAL, NO_TARGET, "NotCollected"),
        ("iam:ListOrganizationsFeatures", GLOBAL, NO_TARGET, "AWSOrganizationsNotInUseException"),
        ("lambda:ListFunctions", "eu-west-1", NO_TARGET, "NotCollected"),
    }
    missing = imported.gaps_for("lambda:ListFunctions", "eu-west-1")[0]
    assert missing.message == f"file lambda-list-functions.eu-west-1.json not in {CLI_OUTPUTS}"
    denied = imported.gaps_for("cloudtrail:GetEventSelectors", "eu-west-1")[0]
    assert denied.message.startswith("User: arn:aws:sts::111122223333:assumed-role/SecurityAudit/")
    # not in an organization: DescribeOrganization answered "none", and no other organizations call is expected
    assert imported.response("organizations:DescribeOrganization") is None
    assert not any(g.api.startswith("organizations:") for g in imported.gaps)


def test_every_collected_api_is_either_answered_or_a_gap_in_every_region(imported: Snapshot) -> None:
    for api in APIS:
        for region in imported.regions if api.regional else (GLOBAL,):
            if api.service == "organizations" and api.key != "organizations:DescribeOrganization":
                continue
            assert imported.calls.get(api.key, {}).get(region) or imported.gaps_for(api.key, region), (api.key, region)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    directory = _copy(tmp_path, case.get("files"))
    if "error" in case:
        with pytest.raises(InputError) as info:
            import_directory(directory, account_id=case.get("account_id"))
        lines = info.value.all_lines()
        assert len(lines) == len(case["error"]), lines
        for line, expected in zip(lines, case["error"], strict=True):
            expected = f"{directory}/{expected}"
            if expected.endswith("..."):
                assert line.startswith(expected[:-3]), line
            else:
                assert line == expected
        return
    snapshot = import_directory(directory, account_id=case.get("account_id"))
    if "response" in case:
        api, region, target, response = case["response"]
        assert snapshot.response(api, region, target) == response
    for api, region, target, code in case.get("gaps", []):
        assert [g.error_code for g in snapshot.gaps if (g.api, g.region, g.target) == (api, region, target)] == [code]
    for api, region, target in case.get("no_gaps", []):
        assert not [g for g in snapshot.gaps if (g.api, g.region, g.target) == (api, region, target)]
    if "account" in case:
        assert snapshot.account_id == case["account"]


def test_one_line_names_the_file_and_place_and_counts_the_rest(tmp_path: Path) -> None:
    directory = _copy(tmp_path, {"iam-get-account-summary.json": '{"SummaryMap": {"Users": null, "Roles": null}}'})
    with pytest.raises(DirectoryInputError) as info:
        import_directory(directory)
    assert info.value.one_line() == (
        f"{directory}/iam-get-account-summary.json: $.SummaryMap.Users: Input should be a valid integer"
        " (and 1 more problem; --verbose lists them)"
    )


def test_the_account_from_arns_when_no_file_names_it(tmp_path: Path) -> None:
    directory = tmp_path / "regional"
    directory.mkdir()
    for name in ("cloudtrail-describe-trails.us-east-1.json", "lambda-list-functions.us-east-1.json"):
        shutil.copy(CLI_OUTPUTS / name, directory / name)
    snapshot = import_directory(directory)
    assert (snapshot.account_id, snapshot.regions) == ("111122223333", ("us-east-1",))
    assert snapshot.gaps_for("iam:GetAccountAuthorizationDetails")[0].error_code == "NotCollected"


def test_no_account_anywhere_needs_the_option(tmp_path: Path) -> None:
    directory = tmp_path / "bare"
    directory.mkdir()
    (directory / "iam-list-account-aliases.json").write_text('{"AccountAliases": []}')
    with pytest.raises(InputError) as info:
        import_directory(directory)
    assert "pass --account-id" in info.value.one_line()
    snapshot = import_directory(directory, account_id="111122223333")
    assert (snapshot.account_id, snapshot.partition, snapshot.regions) == ("111122223333", "aws", ())
    # no region imported: a regional call is one gap at "global", meaning every region
    assert snapshot.gaps_for("cloudtrail:DescribeTrails")[0].region == GLOBAL


def test_windows_powershell_utf16_output_is_read(tmp_path: Path) -> None:
    text = (CLI_OUTPUTS / "iam-list-account-aliases.json").read_text()
    directory = _copy(tmp_path, {"iam-list-account-aliases.json": text.encode("utf-16")})
    assert import_directory(directory).response("iam:ListAccountAliases") == {"AccountAliases": ["example-prod"]}


@pytest.mark.parametrize(
    ("path", "message"),
    [("missing", "no such directory"), ("cli-outputs/iam-list-account-aliases.json", "not a directory")],
)
def test_not_a_directory(tmp_path: Path, path: str, message: str) -> None:
    _copy(tmp_path)
    with pytest.raises(InputError) as info:
        import_directory(tmp_path / path)
    assert info.value.one_line() == f"{tmp_path / path}: {message}"


def test_a_bad_account_id_option() -> None:
    with pytest.raises(InputError) as info:
        import_directory(CLI_OUTPUTS, account_id="1234")
    assert info.value.one_line() == "--account-id: '1234' is not a 12-digit AWS account id"


# --- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "api"),
    [
        ("iam-get-account-authorization-details", "iam:GetAccountAuthorizationDetails"),
        ("iam-get-credential-report", "iam:GetCredentialReport"),
        ("iam-list-virtual-mfa-devices", "iam:ListVirtualMFADevices"),
        ("iam-list-open-id-connect-providers", "iam:ListOpenIDConnectProviders"),
        ("iam-list-saml-providers", "iam:ListSAMLProviders"),
        ("accessanalyzer-list-analyzers", "access-analyzer:ListAnalyzers"),
        ("configservice-describe-configuration-recorder-status", "config:DescribeConfigurationRecorderStatus"),
        ("config-describe-configuration-recorders", "config:DescribeConfigurationRecorders"),
        ("lambda-list-functions", "lambda:ListFunctions"),
        ("sts-get-caller-identity", "sts:GetCallerIdentity"),
        ("organizations-list-targets-for-policy", "organizations:ListTargetsForPolicy"),
    ],
)
def test_aws_cli_names(name: str, api: str) -> None:
    assert API_BY_CLI_NAME[name].key == api


def test_every_api_has_a_file_name() -> None:
    assert {api.key for api in API_BY_CLI_NAME.values()} == {api.key for api in APIS}
    assert all(API_BY_CLI_NAME[cli_name(api)] == api for api in APIS)
    trail_status = next(api for api in APIS if api.key == "cloudtrail:GetTrailStatus")
    assert file_name(trail_status, "us-east-1", TRAIL) == (
        "cloudtrail-get-trail-status.us-east-1.arn:aws:cloudtrail:us-east-1:111122223333:trail%2Fmain.json"
    )


# --- fuzzing: the only exception the importer may raise is InputError ----------------------------------------

_FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=15,
)
_FILES = sorted(p.name for p in CLI_OUTPUTS.iterdir())
_FIXTURES = {name: (CLI_OUTPUTS / name).read_bytes() for name in _FILES}
_PARSED = {name: orjson.loads(data) for name, data in _FIXTURES.items() if data.lstrip().startswith(b"{")}
_names = st.sampled_from(_FILES) | st.sampled_from(sorted(API_BY_CLI_NAME)).flatmap(
    lambda cli: st.sampled_from(
        [f"{cli}.json", f"{cli}.us-east-1.json", f"{cli}.us-east-1.x.json", f"{cli}.x.json", f"{cli}.csv"]
    )
)
_contents = (
    st.binary(max_size=200)
    | _json.map(orjson.dumps)
    | st.text(max_size=200).map(lambda t: f"An error occurred ({t}) when calling the {t} operation: {t}".encode())
    | st.text(max_size=200)
    .map(lambda t: base64.b64encode(t.encode()).decode())
    .map(lambda c: orjson.dumps({"Content": c}))
)


def _import_or_input_error(changes: dict[str, bytes | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = _copy(Path(tmp), changes)
        with contextlib.suppress(InputError):
            import_directory(directory)


@_FUZZ
@given(files=st.dictionaries(_names, _contents, max_size=3))
def test_random_files(files: dict[str, bytes]) -> None:
    _import_or_input_error(dict(files))


@_FUZZ
@given(data=st.data())
def test_mutated_cli_outputs(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(_PARSED)))
    doc = copy.deepcopy(_PARSED[name])
    node: Any = doc
    while True:
        keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if isinstance(node[key], dict | list) and node[key] and data.draw(st.booleans()):
            node = node[key]
            continue
        if data.draw(st.booleans()):
            node[key] = data.draw(_json)
        else:
            del node[key]
        break
    _import_or_input_error({name: orjson.dumps(doc)})


@_FUZZ
@given(
    text=st.text(max_size=300)
    | st.lists(
        st.sampled_from(
            [
                "user",
                "arn",
                "true",
                "N/A",
                ",",
                "\n",
                '"',
                "\r",
                "2026-01-01T00:00:00+00:00",
                "password_enabled",
                "mfa_active",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_parse_credential_report_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(CredentialReportError):
        parse_credential_report(text)


# --- end to end: docs/collect-with-aws-cli.sh against a moto server, imported, matches the live collector ----------

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "collect-with-aws-cli.sh"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("aws") is None or shutil.which("bash") is None, reason="needs bash and the AWS CLI")
def test_the_aws_cli_script_gives_what_the_live_collector_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    import boto3

    from iamwarden.collect.live import collect_account
    from tests.collect.moto_account import REGION, populate_account, start_clean_moto_server, use_dummy_credentials

    server, endpoint = start_clean_moto_server()
    try:
        use_dummy_credentials(monkeypatch)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
        built = populate_account(boto3.Session(region_name=REGION))
        out = tmp_path / "cli-outputs"
        run = subprocess.run(["bash", str(SCRIPT), "-o", str(out), REGION], capture_output=True, text=True, timeout=500)
        assert run.returncode == 0, run.stderr
        # a missing organization or password policy is an answer ("there is none"), counted apart from failures
        assert '1 answer of "there is none"' in run.stderr.splitlines()[-2], run.stderr  # moto has no 2 APIs
        imported = import_directory(out)
        live = collect_account(boto3.Session(region_name=REGION), [REGION], False, False, retries=1)
    finally:
        server.stop()

    def keys(snapshot: Snapshot) -> set[tuple[str, str, str]]:
        return {(a, r, t) for a, regions in snapshot.calls.items() for r, targets in regions.items() for t in targets}

    assert keys(imported) == keys(live)
    assert imported.has("organizations:DescribePolicy", target=built.scp_id)
    assert imported.has("ec2:DescribeInstanceAttribute", REGION, built.instance_id)
    status = imported.response("cloudtrail:GetTrailStatus", REGION, built.trail_arn)
    assert status["IsLogging"] is True
    # moto answers some calls with a 500 page: the live collector and the import both record a gap for them
    assert {g.api for g in imported.gaps} - {g.api for g in live.gaps} == set()


def test_paging_fields_of_a_complete_output_are_dropped(tmp_path: Path) -> None:
    doc = orjson.loads((CLI_OUTPUTS / "iam-get-account-authorization-details.json").read_bytes())
    directory = _copy(
        tmp_path, {"iam-get-account-authorization-details.json": orjson.dumps(doc | {"IsTruncated": False})}
    )
    assert import_directory(directory).response("iam:GetAccountAuthorizationDetails") == doc


def test_the_format_doc_names_every_api_and_its_file() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "snapshot-format.md").read_text()
    for api in APIS:
        assert f"`{api.key}`" in doc
        assert f"`{file_name(api)}`" in doc
