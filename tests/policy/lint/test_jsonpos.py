"""The positioned JSON reader: :func:`compact` builds from a parsed value exactly what :func:`parse` reads from its
compact text (the scan lints the account's policies through it)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iamwarden.policy.lint.jsonpos import JsonSyntaxError, compact, parse

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30
)


@given(VALUES)
def test_compact_builds_what_parse_reads(value: object) -> None:
    text = json.dumps(value, separators=(",", ":"))
    assert compact(value, text) == parse(text)


def test_a_policy_document() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "kms:Decrypt"], "Resource": "*", "Sid": "é\n"}],
    }
    text = json.dumps(document, separators=(",", ":"))
    node = compact(document, text)
    assert node == parse(text)
    statement = node.get("Statement")  # type: ignore[union-attr]
    assert statement is not None and statement.pos.offset == text.index("[")


def _nested(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("value", [float("nan"), {"a": float("inf")}, {1: "x"}, _nested(70), _nested(60)])
def test_what_parse_refuses_or_reads_otherwise_is_read_from_the_text(value: object) -> None:
    """``NaN``, nesting deeper than 64 levels: refused as ``parse`` refuses them; a key that is not a string:
    written as ``json.dumps`` writes it and read back."""
    text = json.dumps(value, separators=(",", ":"))
    try:
        expected = parse(text)
    except JsonSyntaxError as exc:
        with pytest.raises(JsonSyntaxError) as raised:
            compact(value, text)
        assert raised.value.pos == exc.pos
        return
    assert compact(value, text) == expected
