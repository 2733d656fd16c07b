"""A pySigma backend that compiles Sigma detections into SQL predicates over CloudTrail records.

Built on pySigma's :class:`~sigma.conversion.base.TextQueryBackend`: pySigma parses the rule, resolves its condition,
modifiers (``|contains``, ``|all``, ``|startswith``, ``|re``, ``|fieldref``, ``|cased``, ``|exists``...) and
placeholders; this class only says how each piece is written in SQL. The result of a rule is a boolean SQL expression
over one row of the record table (:mod:`iamwarden.collect.cloudtrail_schema`), which the engines select with.

Sigma's matching is case-insensitive unless ``|cased``: values are compared with ``ILIKE`` (wildcards ``*`` and ``?``
become ``%`` and ``_``, literal ones are escaped). A field resolves through the schema: a struct field
(``userIdentity.sessionContext.sessionIssuer.type``), a path inside a JSON field (``requestParameters.policyArn``,
read as text), or a JSON field itself (``requestParameters|contains: ...`` looks at its JSON text). A field the schema
does not have cannot match anything: the rule is refused with that reason rather than silently never firing.

Two SQL dialects share everything but the JSON and struct spelling: ``duckdb`` and ``spark``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sigma.conditions import ConditionAND, ConditionItem, ConditionNOT, ConditionOR
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.exceptions import SigmaFeatureNotSupportedByBackendError
from sigma.processing.pipeline import ProcessingPipeline
from sigma.types import CompareOperators, SigmaRegularExpression, SigmaString

from iamwarden.collect.cloudtrail_schema import FieldPlace, resolve

DIALECTS = ("duckdb", "spark")


class UnknownField(SigmaFeatureNotSupportedByBackendError):
    """A rule names a field outside the CloudTrail record schema."""


def field_sql(place: FieldPlace, dialect: str) -> str:
    """The SQL expression reading a resolved field, as text."""
    quote = '"' if dialect == "duckdb" else "`"
    column = ".".join(f"{quote}{p}{quote}" for p in place.struct_path)
    if place.kind == "string":
        return column
    if place.kind == "struct":
        return f"CAST(to_json({column}) AS VARCHAR)" if dialect == "duckdb" else f"to_json({column})"
    if not place.json_path:
        return f"CAST({column} AS VARCHAR)" if dialect == "duckdb" else column
    path = "$" + "".join(f".{p}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p) else f'["{p}"]' for p in place.json_path)
    function = "json_extract_string" if dialect == "duckdb" else "get_json_object"
    return f"{function}({column}, '{path}')"


class CloudTrailSQLBackend(TextQueryBackend):
    """Sigma detections -> SQL predicates over CloudTrail records (DuckDB or Spark SQL)."""

    name: ClassVar[str] = "iamwarden CloudTrail SQL"
    formats: ClassVar[dict[str, str]] = {"default": "SQL predicate"}
    requires_pipeline: ClassVar[bool] = False

    precedence: ClassVar[tuple[type[ConditionItem], type[ConditionItem], type[ConditionItem]]] = (
        ConditionNOT,
        ConditionAND,
        ConditionOR,
    )
    group_expression: ClassVar[str] = "({expr})"
    token_separator: str = " "
    or_token: ClassVar[str] = "OR"
    and_token: ClassVar[str] = "AND"
    not_token: ClassVar[str] = "NOT"
    eq_token: ClassVar[str] = " = "
    eq_expression: ClassVar[str] = "coalesce(lower({field}) = lower({value}), false)"
    not_eq_expression: ClassVar[str] = "NOT coalesce(lower({field}) = lower({value}), false)"
    field_in_list_expression: ClassVar[str] = "coalesce(lower({field}) {op} ({list}), false)"
    or_in_operator: ClassVar[str] = "IN"
    list_separator: ClassVar[str] = ", "
    str_quote: ClassVar[str] = "'"
    escape_char: ClassVar[str] = "\\"
    wildcard_multi: ClassVar[str] = "%"
    wildcard_single: ClassVar[str] = "_"
    add_escaped: ClassVar[str] = "\\"
    bool_values: ClassVar[dict[bool, str | None]] = {True: "'true'", False: "'false'"}
    wildcard_match_expression: ClassVar[str] = "coalesce({field} ILIKE {value} ESCAPE '\\', false)"
    case_sensitive_match_expression: ClassVar[str] = "coalesce({field} LIKE {value} ESCAPE '\\', false)"
    re_expression: ClassVar[str] = "coalesce(regexp_matches({field}, '{regex}'), false)"
    re_escape_char: ClassVar[str] = "\\"
    re_escape: ClassVar[list[str]] = []
    re_escape_escape_char = False
    re_flag_prefix = True
    compare_op_expression: ClassVar[str] = "coalesce(TRY_CAST({field} AS DOUBLE) {operator} {value}, false)"
    compare_operators: ClassVar[dict[CompareOperators, str]] = {
        CompareOperators.LT: "<",
        CompareOperators.LTE: "<=",
        CompareOperators.GT: ">",
        CompareOperators.GTE: ">=",
    }
    field_equals_field_expression: ClassVar[str] = "coalesce(lower({field1}) = lower({field2}), false)"
    field_null_expression: ClassVar[str] = "{field} IS NULL"
    field_exists_expression: ClassVar[str] = "{field} IS NOT NULL"
    field_not_exists_expression: ClassVar[str] = "{field} IS NULL"
    convert_or_as_in: ClassVar[bool] = True
    convert_and_as_in: ClassVar[bool] = False
    unbound_value_str_expression: ClassVar[str | None] = None
    unbound_value_num_expression: ClassVar[str | None] = None
    unbound_value_re_expression: ClassVar[str | None] = None

    dialect: ClassVar[str] = "duckdb"

    def __init__(self, processing_pipeline: ProcessingPipeline | None = None) -> None:
        super().__init__(processing_pipeline=processing_pipeline, collect_errors=False)

    def escape_and_quote_field(self, field_name: str) -> str:
        place = resolve(field_name)
        if place is None:
            raise UnknownField(f"field {field_name!r} is not in the CloudTrail record schema: it could never match")
        return field_sql(place, self.dialect)

    def convert_value_str(self, s: SigmaString, state: ConversionState) -> str:
        converted = s.convert(self.escape_char, self.wildcard_multi, self.wildcard_single, "%_\\", "")
        return self._literal(converted)

    def _literal(self, text: str) -> str:
        if self.dialect == "spark":
            text = text.replace("\\", "\\\\")  # Spark string literals unescape backslashes once
        return "'" + text.replace("'", "''") + "'"

    def _plain(self, value: Any) -> str | None:
        """A value without wildcards, as an SQL literal to compare with ``=`` (no LIKE escapes); else ``None``.

        A plain value is compared as ``lower(field) = lower('value')``: the engines fold the right side once and
        share ``lower(field)`` between the rules of a pass, far cheaper than a LIKE per rule and record."""
        if type(value) is not SigmaString or value.contains_special():
            return None
        return self._literal("".join(str(p) for p in value.s))

    def convert_condition_field_eq_val_str(self, cond: Any, state: ConversionState) -> Any:
        plain = self._plain(cond.value)
        if plain is None:
            return super().convert_condition_field_eq_val_str(cond, state)
        return self.eq_expression.format(field=self.escape_and_quote_field(cond.field), value=plain)

    def decide_convert_condition_as_in_expression(self, cond: Any, state: ConversionState) -> bool:
        return (
            isinstance(cond, ConditionOR)
            and len(cond.args) > 1
            and super().decide_convert_condition_as_in_expression(cond, state)
            and all(self._plain(getattr(arg, "value", None)) is not None for arg in cond.args)
        )

    def convert_condition_as_in_expression(self, cond: Any, state: ConversionState) -> Any:
        values = ", ".join(f"lower({self._plain(arg.value)})" for arg in cond.args)
        field = self.escape_and_quote_field(cond.args[0].field)
        return self.field_in_list_expression.format(field=field, op=self.or_in_operator, list=values)

    def convert_value_re(self, r: SigmaRegularExpression, state: ConversionState) -> Any:
        value = super().convert_value_re(r, state)
        if isinstance(value, str):
            if self.dialect == "spark":
                value = value.replace("\\", "\\\\")
            return value.replace("'", "''")
        return value

    def convert_condition_field_eq_val_num(self, cond: Any, state: ConversionState) -> Any:
        return f"coalesce({self.escape_and_quote_field(cond.field)} = '{cond.value}', false)"

    def finalize_query_default(self, rule: Any, query: Any, index: int, state: ConversionState) -> Any:
        return query


class SparkSQLBackend(CloudTrailSQLBackend):
    """The same rules in Spark SQL: ``lower() LIKE lower()`` (Spark's LIKE escapes with a backslash), ``RLIKE``,
    ``get_json_object``, backquoted names."""

    name: ClassVar[str] = "iamwarden CloudTrail Spark SQL"
    dialect: ClassVar[str] = "spark"
    wildcard_match_expression: ClassVar[str] = "coalesce(lower({field}) LIKE lower({value}), false)"
    case_sensitive_match_expression: ClassVar[str] = "coalesce({field} LIKE {value}, false)"
    re_expression: ClassVar[str] = "coalesce({field} RLIKE '{regex}', false)"
    compare_op_expression: ClassVar[str] = "coalesce(CAST({field} AS DOUBLE) {operator} {value}, false)"


def backend(dialect: str) -> CloudTrailSQLBackend:
    """The backend writing ``dialect`` (one of :data:`DIALECTS`)."""
    if dialect == "duckdb":
        return CloudTrailSQLBackend()
    if dialect == "spark":
        return SparkSQLBackend()
    raise ValueError(f"unknown SQL dialect {dialect!r}")
