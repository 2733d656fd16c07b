"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${s3:prefix, 'home'}``, ``${*}``.

AWS substitutes policy variables in the ``Resource`` element and in the values of string and ARN conditions, and
only in policies whose ``Version`` is ``2012-10-17`` (in ``2008-10-17`` policies the text ``${aws:username}`` is
literal). A variable names any request context key (matched case-insensitively). Three escapes stand for characters
that would otherwise be special: ``${*}`` is a literal ``*``, ``${?}`` a literal ``?``, ``${$}`` a literal ``$``.
A default follows a comma: ``${aws:username, 'nobody'}`` gives ``nobody`` when the key is absent.

When a variable's key is absent from the request and no default is given, the element that holds it does not
match (IAM User Guide, "IAM policy elements: Variables and tags"): :func:`substitute` returns ``None``.

Example::

    >>> t = parse_template("arn:aws:s3:::bucket/${aws:username}/*")
    >>> [type(p).__name__ for p in t.parts]
    ['Literal', 'Variable', 'Literal']
    >>> substitute(t, {"aws:username": "alice"})
    'arn:aws:s3:::bucket/alice/*'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

ContextValue = str | tuple[str, ...]
"""A request context value: one string, or several (a multivalued key such as ``aws:TagKeys``)."""

Context = Mapping[str, ContextValue]
"""Request context keyed by the lower-cased key name."""

ESCAPES = {"*": "*", "?": "?", "$": "$"}

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")


@dataclass(frozen=True, slots=True)
class Literal:
    """Text taken as it is; ``wildcards`` tells whether ``*`` and ``?`` in it are wildcards (they are not when the
    text came from an escape such as ``${*}``)."""

    text: str
    wildcards: bool = True


@dataclass(frozen=True, slots=True)
class Variable:
    """``${key}`` or ``${key, 'default'}``; ``key`` is lower-cased for the context look-up, ``name`` as written."""

    key: str
    default: str | None = None
    source: str = ""
    name: str = ""


Part = Literal | Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A string split into literal text and variables."""

    raw: str
    parts: tuple[Part, ...]

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    @property
    def variable_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts if isinstance(p, Variable))


def parse_template(text: str, *, enabled: bool = True) -> Template:
    """Split ``text`` into literals and variables. With ``enabled=False`` (Version 2008-10-17) all of it is literal."""
    if not enabled or "${" not in text:
        return Template(text, (Literal(text),))
    parts: list[Part] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        if m.start() > pos:
            parts.append(Literal(text[pos : m.start()]))
        inner = m.group(1)
        if inner in ESCAPES:
            parts.append(Literal(ESCAPES[inner], wildcards=False))
        else:
            d = _DEFAULT.match(inner)
            if d:
                name = d.group(1).strip()
                parts.append(Variable(name.lower(), d.group(2), m.group(0), name))
            else:
                parts.append(Variable(inner.strip().lower(), None, m.group(0), inner.strip()))
        pos = m.end()
    if pos < len(text):
        parts.append(Literal(text[pos:]))
    return Template(text, tuple(parts))


def variable_value(var: Variable, context: Context) -> str | None:
    """The value a variable takes in ``context``: the key's single value, else the default, else ``None``.

    A multivalued key cannot be used as a variable; a list with exactly one value is taken as that value.
    """
    value = context.get(var.key)
    if isinstance(value, tuple):
        value = value[0] if len(value) == 1 else None
    if value is None:
        return var.default
    return value


def _same(text: str) -> str:
    return text


def substitute(
    template: Template,
    context: Context,
    *,
    literal: Callable[[str], str] = _same,
    escape: Callable[[str], str] = _same,
    missing: set[str] | None = None,
) -> str | None:
    """The text with every variable replaced by its value.

    Literal text (where ``*`` and ``?`` are wildcards) goes through ``literal``; variable values and escaped characters
    (``${*}``), which must match literally, go through ``escape``. A matcher that compiles wildcards to a regular
    expression passes its wildcard translator and :func:`re.escape`. Returns ``None`` when a variable has no value and
    no default, after adding its key to ``missing``.
    """
    out: list[str] = []
    ok = True
    for part in template.parts:
        if isinstance(part, Literal):
            out.append(literal(part.text) if part.wildcards else escape(part.text))
            continue
        value = variable_value(part, context)
        if value is None:
            ok = False
            if missing is not None:
                missing.add(part.name or part.key)
            continue
        out.append(escape(value))
    return "".join(out) if ok else None
