"""The policy linter: the case tables in lint_cases/*.json (policy in, set of issue codes out), finding positions,
size quotas, the position-tracking JSON reader and the rule table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.policy.lint import REDIRECTS, RULES, canonical, lint_policy_text
from iamwarden.policy.lint.findings import POLICY_TYPES
from iamwarden.policy.lint.jsonpos import JArray, JNode, JObject, JsonSyntaxError, json_path, parse, to_python
from iamwarden.policy.lint.rules import AA_DOC, markdown_tables
from iamwarden.policy.lint.structure import aws_size

CASES_DIR = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.json")):
        table = json.loads(path.read_text())
        for case in table["cases"]:
            params.append(pytest.param(case, id=f"{path.stem}/{case['id']}"))
    return params


def _text(case: dict[str, Any]) -> str:
    if "text" in case:
        return str(case["text"])
    return json.dumps(case["policy"], indent=2)


@pytest.mark.parametrize("case", _cases())
def test_lint_case(case: dict[str, Any]) -> None:
    findings = lint_policy_text(_text(case), policy_type=case["policy_type"], source="case.json")
    assert {f.code for f in findings} == set(case["expect"]), [f"{f.code} {f.path}: {f.message}" for f in findings]
    for finding in findings:
        assert finding.kind == RULES[finding.code].kind
        assert finding.source == "case.json"


def test_case_tables_are_well_formed() -> None:
    ids = set()
    used: set[str] = set()
    for path in CASES_DIR.glob("*.json"):
        table = json.loads(path.read_text())
        for case in table["cases"]:
            assert case["id"] not in ids, case["id"]
            ids.add(case["id"])
            # every case cites the documentation it encodes (the case's section, or the table's page)
            assert (case.get("doc") or table.get("doc", "")).startswith("https://docs.aws.amazon.com/"), case["id"]
            assert case["policy_type"] in POLICY_TYPES
            assert ("text" in case) != ("policy" in case)
            assert set(case["expect"]) <= set(RULES), case["id"]
            used.update(case["expect"])
    # every rule but the size quotas (tested below, with generated policies) has a case
    untested = set(RULES) - used - {c for c in RULES if c.startswith("POLICY_SIZE_EXCEEDS")}
    assert untested == set()


def test_findings_point_at_the_element_line_and_column() -> None:
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": [\n        "s3:GetObject",\n        "s3:GetObjekt"\n      ],\n'
        '      "Resource": "*"\n    }\n  ]\n}\n'
    )
    [finding] = lint_policy_text(text, policy_type="identity", source="p.json")
    assert (finding.code, finding.path, finding.line, finding.column) == (
        "INVALID_ACTION",
        "$.Statement[0].Action[1]",
        8,
        9,
    )
    # the path leads to the node at that line and column
    assert _positions_at(parse(text), finding.path) == {(8, 9)}


def test_syntax_error_has_line_and_column() -> None:
    [finding] = lint_policy_text(
        '{\n  "Version": "2012-10-17"\n  "Statement": []\n}', policy_type="identity", source="x"
    )
    assert (finding.code, finding.kind, finding.line, finding.column) == ("JSON_SYNTAX_ERROR", "ERROR", 3, 3)


def test_missing_element_findings_point_at_the_statement() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": [\n   {"Effect": "Allow", "Resource": "*"}]}'
    [finding] = lint_policy_text(text, policy_type="identity", source="x")
    assert (finding.code, finding.path, finding.line, finding.column) == ("MISSING_ACTION", "$.Statement[0]", 3, 4)


def _policy_of_size(n_actions: int) -> str:
    actions = [f"ec2:Describe{i:05d}" for i in range(n_actions)]
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": actions, "Resource": "*"}]})


@pytest.mark.parametrize(
    ("policy_type", "identity_kind", "quota", "code"),
    [
        ("identity", "managed", 6144, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        ("identity", "user", 2048, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        ("identity", "role", 10240, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        ("identity", "group", 5120, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        ("permission_boundary", "managed", 6144, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"),
        ("scp", "managed", 5120, "POLICY_SIZE_EXCEEDS_SCP_QUOTA"),
        ("rcp", "managed", 5120, "POLICY_SIZE_EXCEEDS_RCP_QUOTA"),
    ],
)
def test_size_quota(policy_type: Any, identity_kind: Any, quota: int, code: str) -> None:
    # SCPs and RCPs count every character as written; IAM quotas skip whitespace outside strings
    size = len if policy_type in ("scp", "rcp") else aws_size
    largest = next(n for n in range(1, 2000) if size(_policy_of_size(n + 1)) > quota)
    at_quota, over = _policy_of_size(largest), _policy_of_size(largest + 1)
    assert size(at_quota) <= quota < size(over)
    codes = {
        f.code for f in lint_policy_text(at_quota, policy_type=policy_type, source="p", identity_kind=identity_kind)
    }
    assert code not in codes
    found = lint_policy_text(over, policy_type=policy_type, source="p", identity_kind=identity_kind)
    assert code in {f.code for f in found}


def test_whitespace_outside_strings_is_not_counted_for_iam_quotas() -> None:
    compact = json.dumps(json.loads(_policy_of_size(250)), separators=(",", ":"))
    spread = json.dumps(json.loads(compact), indent=8)
    assert aws_size(spread) == aws_size(compact) == len(compact) < 6144 < len(spread)
    codes = {f.code for f in lint_policy_text(spread, policy_type="identity", source="p")}
    assert "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA" not in codes


def test_aws_size_counts_whitespace_inside_strings() -> None:
    assert aws_size('{ "a b" : "c \\" d" }') == len('{"a b":"c \\" d"}')


def test_trust_policy_quota_is_the_default_2048() -> None:
    principals = [f"arn:aws:iam::111122223333:role/r{i:04d}" for i in range(60)]
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}],
        }
    )
    assert aws_size(text) > 2048
    [finding] = lint_policy_text(text, policy_type="trust", source="t")
    assert finding.code == "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA"
    assert "8,192" in finding.message


def test_unknown_policy_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="policy type"):
        lint_policy_text("{}", policy_type="boundary", source="x")  # type: ignore[arg-type]


# --- the JSON reader


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"]}', "[]", '"\\ud83d\\ude00"', '{"a": {"b": {}}}'],
)
def test_reader_agrees_with_json_loads(text: str) -> None:
    assert to_python(parse(text)) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"a": 1,}', 1, 9),
        ('{"a" 1}', 1, 6),
        ('{"a": "b\n"}', 1, 9),
        ("[1, 2", 1, 6),
        ('{"a": 1} x', 1, 10),
        ('\n\n  {"a": tru}', 3, 9),
        ('{"a": "\\q"}', 1, 8),
    ],
)
def test_reader_errors_have_positions(text: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        parse(text)
    assert (info.value.pos.line, info.value.pos.column) == (line, column)


def test_reader_positions_count_characters_not_bytes() -> None:
    node = parse('{"é": "ü", "k": 1}')
    assert isinstance(node, JObject)
    member = node.member("k")
    assert member is not None and member.key_pos.column == 12


def test_json_path_quotes_keys_that_are_not_identifiers() -> None:
    assert json_path(("Statement", 0, "Condition", "StringEquals", "aws:SourceIp")) == (
        '$.Statement[0].Condition.StringEquals["aws:SourceIp"]'
    )


# --- the rule table


def test_every_rule_has_title_and_help() -> None:
    for code, rule in RULES.items():
        assert code == rule.code and code.isupper()
        assert rule.title and rule.help.endswith((".", ")"))


def test_access_analyzer_codes_link_to_their_section() -> None:
    doc = json.loads((CASES_DIR / "access_analyzer.json").read_text())
    cited = {case["doc"] for case in doc["cases"]}
    for rule in RULES.values():
        if rule.origin == "access-analyzer":
            assert rule.help_uri is not None and rule.help_uri.startswith(AA_DOC + "#access-analyzer-reference-policy-")
        else:
            assert rule.help_uri is None
    assert RULES["CREATE_SLR_WITH_STAR_IN_RESOURCE"].help_uri in cited


def test_renamed_codes_redirect_to_codes_that_exist() -> None:
    assert set(REDIRECTS).isdisjoint(RULES)
    for old, new in REDIRECTS.items():
        assert new in RULES
        assert canonical(old) == new
    assert canonical("TYPE_MISMATCH") == "TYPE_MISMATCH"
    assert canonical("NO_SUCH_CODE") is None


def test_docs_code_tables_are_current() -> None:
    """docs/lint.md's code tables are what scripts/write_lint_doc.py writes from the rule tables."""
    doc = (Path(__file__).parents[3] / "docs" / "lint.md").read_text()
    between = doc.split("<!-- codes:begin -->\n", 1)[1].split("<!-- codes:end -->", 1)[0]
    assert between.strip() == markdown_tables().strip()
    assert all(f"`{code}`" in between for code in (*RULES, *REDIRECTS))


# --- every finding's path leads to the node at its line and column

_PATH_TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _positions_at(root: JNode, path: str) -> set[tuple[int, int]]:
    """The positions a finding at ``path`` may carry: the node's start, or its member name's."""
    assert path.startswith("$")
    node: JNode = root
    key_pos = None
    rest = path[1:]
    while rest:
        m = _PATH_TOKEN.match(rest)
        assert m is not None, path
        rest = rest[m.end() :]
        if m.group(2) is not None:
            assert isinstance(node, JArray)
            node, key_pos = node.items[int(m.group(2))], None
        else:
            key = m.group(1) if m.group(1) is not None else json.loads(m.group(3))
            assert isinstance(node, JObject), path
            member = node.member(key)
            assert member is not None, path
            node, key_pos = member.value, member.key_pos
    found = {(node.pos.line, node.pos.column)}
    if key_pos is not None:
        found.add((key_pos.line, key_pos.column))
    return found


@pytest.mark.parametrize("case", _cases())
def test_finding_paths_match_their_line_and_column(case: dict[str, Any]) -> None:
    text = _text(case)
    findings = lint_policy_text(text, policy_type=case["policy_type"], source="case.json")
    if any(f.code == "JSON_SYNTAX_ERROR" for f in findings):
        return
    root = parse(text)
    for finding in findings:
        assert (finding.line, finding.column) in _positions_at(root, finding.path), finding


# --- robustness: any JSON gives findings, never an exception

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        [
            "*",
            "s3:GetObject",
            "s3:Get*",
            "iam:PassRole",
            "arn:aws:s3:::b/*",
            "arn:aws:iam::1:x",
            "",
            "Allow",
            "Deny",
            "aws:SourceIp",
            "10.0.0.0/8",
            "true",
            "${aws:username}",
            "a:b:c",
            ":",
        ]
    ),
)
_elements = st.sampled_from(
    [
        "Version",
        "Statement",
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "AWS",
        "Service",
        "StringEquals",
        "BoolIfExists",
        "ForAllValues:StringLike",
        "aws:MultiFactorAuthPresent",
        "aws:TagKeys",
        "s3:prefix",
        "Null",
        "x",
    ]
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_elements, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(doc=st.dictionaries(_elements, _json, max_size=4), policy_type=st.sampled_from(POLICY_TYPES))
def test_linter_never_raises(doc: dict[str, Any], policy_type: Any) -> None:
    text = json.dumps(doc, indent=1)
    findings = lint_policy_text(text, policy_type=policy_type, source="fuzz")
    root = parse(text)
    for finding in findings:
        assert (finding.line, finding.column) in _positions_at(root, finding.path), finding


@settings(max_examples=200, deadline=None)
@given(doc=_json, indent=st.sampled_from([None, 0, 2, "\t"]))
def test_reader_agrees_with_json_module_on_generated_documents(doc: Any, indent: Any) -> None:
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    assert to_python(parse(text)) == json.loads(text)
