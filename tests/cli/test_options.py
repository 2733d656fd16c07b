"""The shared option values: formats, severities, practices, --show, and the hidden --json alias."""

from __future__ import annotations

import pytest

from iamwarden.checks.base import Severity
from iamwarden.cli.options import chosen_format, parse_formats, parse_practices, parse_severity, parse_show
from iamwarden.errors import InputError
from iamwarden.report.outputs import FORMATS


def test_option_parsing() -> None:
    assert parse_formats("console, json", FORMATS) == ["console", "json"]
    assert parse_formats("all", FORMATS) == list(FORMATS)
    assert parse_severity("HIGH") is Severity.HIGH
    assert parse_practices([1, 11]) == [1, 11]
    assert parse_show("all") is None and parse_show("0") == 0 and parse_show(" 25 ") == 25
    assert chosen_format(None, True, "text") == "json" and chosen_format("JSON", True, "text") == "json"
    assert chosen_format(None, False, "text") == "text"


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_formats("pdf", FORMATS),
        lambda: parse_severity("urgent"),
        lambda: parse_practices([12]),
        lambda: parse_show("many"),
        lambda: parse_show("-1"),
        lambda: chosen_format("text", True, "text"),
    ],
)
def test_bad_values_name_the_option(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]
