"""``iamwarden simulate``: decide requests with the policy engine and say why.

Two forms:

* ``--request-file FILE``: FILE holds one request document (the format in docs/simulate.md) or JSON Lines of many;
  one decision per request, in order, streamed as the lines are read.
* ``--snapshot S --principal ARN --action A [--resource R] [--context k=v ...]``: the principal's own policies,
  permissions boundary and SCPs are gathered from the snapshot (a role's trust policy too, for ``sts:AssumeRole*``
  on a role of the account).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from iamwarden.cli.app import handles_input_errors
from iamwarden.cli.options import JsonAliasOption, chosen_format, format_option, parse_choice
from iamwarden.errors import InputError, Problem
from iamwarden.policy import Decision, Request, evaluate, read_request_document
from iamwarden.policy.simulation import REQUEST_KEYS

_STYLE = {"allowed": "bold green", "explicit_deny": "bold red", "implicit_deny": "bold yellow"}
_LABEL = {"allowed": "ALLOWED", "explicit_deny": "EXPLICIT DENY", "implicit_deny": "IMPLICIT DENY"}
_CACHE_LIMIT = 4096
_READ_HINT = 1 << 20  # JSON Lines are read about a megabyte at a time
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?_.-]+")
_ACCOUNT = re.compile(r"\d{12}")


class _PolicyCache:
    """Compile each distinct set of policies once: lines of a batch usually share them and differ in the request.

    A JSON Lines line that starts with its ``"request"`` object is split there: the request is decoded on its own,
    and the rest of the line (the policies, byte for byte) is the cache key, so a line whose policies were seen
    before is neither parsed nor compiled again. The rest of the line before is tried first, without a look-up: a
    batch usually repeats one set of policies line after line. Other documents are keyed by their policies'
    canonical JSON (orjson, sorted keys)."""

    def __init__(self) -> None:
        self._compiled: dict[bytes, dict[str, Any]] = {}
        self._by_tail: dict[bytes, dict[str, Any]] = {}
        self._last_tail = b""
        self._last: dict[str, Any] | None = None
        self._requests: dict[bytes, tuple[Request, Any]] = {}
        """Built requests by their exact bytes on the line (a batch often repeats a request): neither parsed, checked
        nor built again. A :class:`Request` is immutable, so one is shared by every line that spells it alike."""

    def _remember(self, table: dict[Any, dict[str, Any]], key: Any, kwargs: dict[str, Any]) -> None:
        if len(table) >= _CACHE_LIMIT:
            table.clear()
        table[key] = kwargs

    def _remember_request(self, key: bytes, request: Request, raw_request: Any) -> None:
        if len(self._requests) >= _CACHE_LIMIT:
            self._requests.clear()
        self._requests[key] = (request, raw_request)

    def decide(self, doc: Any) -> Decision:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("request"), Mapping):
            request, kwargs = read_request_document(doc)  # raises the precise InputError
            return evaluate(request, **kwargs)
        policies = {k: v for k, v in doc.items() if k != "request"}
        key = orjson.dumps(policies, option=orjson.OPT_SORT_KEYS)
        cached = self._compiled.get(key)
        if cached is None:
            request, kwargs = read_request_document(doc)
            self._remember(self._compiled, key, kwargs)
            return evaluate(request, **kwargs)
        return evaluate(_fast_request(doc["request"]), **cached)

    def decide_line(self, line: bytes) -> tuple[Decision, Any]:
        """Decide one JSON Lines line: (decision, the parsed request object, for the summary).
        Raises ``orjson.JSONDecodeError`` for a line that is not JSON, ``InputError`` for a bad document."""
        head = _HEAD.match(line)
        split: tuple[Any, bytes] | None = None
        if head is not None:
            start = head.end()
            end = len(line)
            while end > start and line[end - 1] in _BLANK:
                end -= 1
            last = self._last_tail
            cut = end - len(last)
            if self._last is not None and cut > start and line.startswith(last, cut):
                known = self._requests.get(line[start:cut])
                if known is not None:
                    return evaluate(known[0], **self._last), known[1]
                raw_request = _object_at(line, start, cut)
                if raw_request is not None:
                    request = _fast_request(raw_request)
                    self._remember_request(line[start:cut], request, raw_request)
                    return evaluate(request, **self._last), raw_request
            split = _split_request(line, start, end)
            if split is not None:
                raw_request, tail = split
                cached = self._by_tail.get(tail)
                if cached is not None:
                    self._last_tail, self._last = tail, cached
                    return evaluate(_fast_request(raw_request), **cached), raw_request
        doc = orjson.loads(line)
        if split is not None and isinstance(doc, Mapping) and isinstance(doc.get("request"), Mapping):
            request, kwargs = read_request_document(doc)
            if _tail_without_request(split[1]):
                self._remember(self._by_tail, split[1], kwargs)
                self._last_tail, self._last = split[1], kwargs
            return evaluate(request, **kwargs), doc["request"]
        return self.decide(doc), doc.get("request") if isinstance(doc, Mapping) else None


_HEAD = re.compile(rb'\s*\{\s*"request"\s*:\s*')
_BLANK = frozenset(b" \t\r\n")
_SPLIT_TRIES = 16


def _object_at(line: bytes, start: int, end: int) -> Any:
    """The JSON object that is exactly ``line[start:end]``, or ``None``. An object's extent is fixed by its first
    character, so a slice that parses as one object is the whole value that starts there."""
    if line[start : start + 1] != b"{":
        return None
    try:
        value = orjson.loads(line[start:end])
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _split_request(line: bytes, start: int, end: int) -> tuple[Any, bytes] | None:
    """(the request object, the rest of the line up to ``end``) for a line that starts with ``{"request": {...}``:
    the object ends at one of the first ``}`` after ``start`` (tried in order); ``None`` when none fits."""
    pos = line.find(b"}", start, end)
    tries = 0
    while pos != -1 and tries < _SPLIT_TRIES:
        found = _object_at(line, start, pos + 1)
        if found is not None:
            return found, line[pos + 1 : end]
        pos = line.find(b"}", pos + 1, end)
        tries += 1
    return None


def _tail_without_request(tail: bytes) -> bool:
    """Whether the rest of a line (``,"identity_policies": [...]}``) is safe as a cache key: it names no second
    ``request`` (a duplicate key replaces the first in JSON parsers)."""
    try:
        rest = orjson.loads(b"{" + tail.lstrip(b", \t\r\n"))
    except orjson.JSONDecodeError:
        return False
    return isinstance(rest, dict) and "request" not in rest


def _fast_request(raw: Mapping[str, Any]) -> Request:
    """The :class:`Request` of a plainly well-formed ``request`` object, built directly; anything unusual goes
    through the engine's full validation (:func:`read_request_document`), which names the problem."""
    principal = raw.get("principal")
    action = raw.get("action")
    resource = raw.get("resource", "*")
    context = raw.get("context")
    account = raw.get("resource_account")
    if (
        raw.keys() <= REQUEST_KEYS
        and type(principal) is str
        and type(action) is str
        and _ACTION.fullmatch(action)
        and type(resource) is str
        and resource
        and (context is None or (type(context) is dict and all(k and _plain_value(v) for k, v in context.items())))
        and (account is None or (type(account) is str and _ACCOUNT.fullmatch(account)))
    ):
        return Request(principal, action, resource, context or {}, account)
    request, _ = read_request_document({"request": raw})
    return request


def _plain_value(value: Any) -> bool:
    """A context value the fast path takes as it is: a string, or a list of strings."""
    return type(value) is str or (type(value) is list and all(type(v) is str for v in value))


def _relocated(exc: InputError, source: str, place: str) -> InputError:
    """The engine's ``InputError("request", ...)`` re-issued against the file, each JSON path prefixed by ``place``."""
    return InputError(source, [Problem(f"{place} {p.place}".strip(), p.message) for p in exc.problems])


def _iter_documents(path: Path) -> Iterator[tuple[int | None, Any]]:
    """Yield (line number, raw line bytes) for JSON Lines, or (``None``, document) for a single (possibly
    pretty-printed) JSON document."""
    source = str(path)
    try:
        handle: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise InputError(source, Problem("", exc.strerror or str(exc))) from None
    with handle:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
        if not first:
            raise InputError(source, Problem("line 1", "the file holds no request document"))
        try:
            head = orjson.loads(first)
        except orjson.JSONDecodeError:
            head = None
        if head is None:
            # Not one document per line: a single JSON document spread over several lines.
            from iamwarden.collect.snapshot import load_json_file

            yield None, load_json_file(path)
            return
        handle.seek(0)
        number = 0
        while batch := handle.readlines(_READ_HINT):
            for line in batch:
                number += 1
                if line and not line.isspace():  # (isspace stops at the first other byte: no copy of the line)
                    yield number, line


def _request_summary(req: Any) -> dict[str, Any]:
    if not isinstance(req, Mapping):
        return {}
    return {k: req[k] for k in ("principal", "action", "resource") if k in req}


def _render(console: Console, decision: Decision, request: Mapping[str, Any], caveats: list[str]) -> None:
    principal = escape(str(request.get("principal", "?")))
    action = escape(str(request.get("action", "?")))
    resource = escape(str(request.get("resource", "*")))
    style = _STYLE[decision.decision]
    console.print(f"[{style}]{_LABEL[decision.decision]}[/]  {principal}  {action}  {resource}")
    reasons = list(decision.reasons)
    i = 0
    while i < len(reasons):
        reason = reasons[i]
        repeats = 1
        while i + repeats < len(reasons) and reasons[i + repeats] == reason:
            repeats += 1  # the same SCP/RCP allowing at several organization levels
        i += repeats
        statement = f" statement {escape(reason.statement)}" if reason.statement is not None else ""
        effect = {"Allow": "[green]Allow[/]", "Deny": "[red]Deny[/]"}.get(reason.effect, "[yellow]no Allow[/]")
        standard = reason.statement is not None and reason.detail.startswith(
            f"statement {reason.statement} of {reason.policy} "
        )
        detail = "" if standard else f": [dim]{escape(reason.detail)}[/]"
        levels = f" [dim](at {repeats} levels)[/]" if repeats > 1 else ""
        console.print(f"  {effect}  {reason.policy_type}  {escape(reason.policy)}{statement}{detail}{levels}")
    if decision.not_allowing and decision.decision == "implicit_deny":
        console.print(f"  not allowed by: {', '.join(decision.not_allowing)}")
    for key in sorted(decision.missing_context_keys):
        console.print(
            f"  [cyan]what if[/] {escape(key)} were in the request? A condition needed it and it was absent "
            "(give it in the request context to see that decision)."
        )
    for error in decision.errors:
        console.print(f"  [bold red]error[/] {escape(error.describe())}")
    for caveat in caveats:
        console.print(f"  [yellow]caveat[/] {escape(caveat)}")


def _json_line(decision: Decision, request: Mapping[str, Any], caveats: list[str], line: int | None = None) -> bytes:
    data = decision.to_json()
    data["request"] = dict(request)
    if line is not None:
        data["line"] = line
    if caveats:
        data["caveats"] = caveats
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)


def _emit(
    out: IO[str],
    console: Console,
    decision: Decision,
    request: Mapping[str, Any],
    json_output: bool,
    caveats: list[str],
    line: int | None = None,
) -> None:
    if json_output:
        out.write(_json_line(decision, request, caveats, line).decode())
    else:
        _render(console, decision, request, caveats)


_CHUNK = 256
"""JSON decisions written to stdout together (as bytes): one write per line costs more than deciding it."""


def _simulate_file(path: Path, json_output: bool) -> None:
    source = str(path)
    cache = _PolicyCache()
    console = Console(highlight=False, soft_wrap=True)
    out = sys.stdout
    binary: IO[bytes] | None = getattr(out, "buffer", None) if json_output else None
    pending: list[bytes] = []
    first = True
    try:
        for number, payload in _iter_documents(path):
            place = f"line {number}" if number is not None else ""
            try:
                if number is None:
                    decision = cache.decide(payload)
                    raw_request = payload.get("request") if isinstance(payload, Mapping) else None
                else:
                    decision, raw_request = cache.decide_line(payload)
            except orjson.JSONDecodeError as exc:
                raise InputError(source, Problem(f"{place} column {exc.colno}", f"invalid JSON: {exc.msg}")) from None
            except InputError as exc:
                raise _relocated(exc, source, place) from None
            if json_output:
                pending.append(_json_line(decision, _request_summary(raw_request), [], number))
                if len(pending) >= _CHUNK:
                    _write(out, binary, pending)
                continue
            if not first:
                console.print()
            first = False
            _emit(out, console, decision, _request_summary(raw_request), json_output, [], number)
    finally:
        _write(out, binary, pending)
        out.flush()


def _write(out: IO[str], binary: IO[bytes] | None, pending: list[bytes]) -> None:
    """Write the pending JSON lines (to the byte stream under ``out`` when there is one) and empty the list."""
    if not pending:
        return
    data = b"".join(pending)
    pending.clear()
    if binary is not None:
        out.flush()
        binary.write(data)
    else:
        out.write(data.decode())


def _parse_context(pairs: list[str]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    problems: list[Problem] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem("--context", f"{pair!r} is not key=value (e.g. aws:SourceIp=10.1.2.3)"))
            continue
        if key in context:  # a repeated key builds a multivalued key (aws:TagKeys=a --context aws:TagKeys=b)
            previous = context[key]
            context[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            context[key] = value
    if problems:
        raise InputError("command line", problems)
    return context


def _simulate_snapshot(
    snapshot: Path,
    principal: str,
    action: str,
    resource: str,
    context: dict[str, Any],
    resource_account: str | None,
    json_output: bool,
) -> None:
    from iamwarden.analysis.context import AnalysisContext
    from iamwarden.analysis.principals import principal_policies
    from iamwarden.collect.snapshot import read_snapshot
    from iamwarden.model import Role, User, build_account

    account = build_account(read_snapshot(snapshot))
    subject = account.principals_by_arn.get(principal)
    if subject is None and ":assumed-role/" in principal:
        role_name = principal.split(":assumed-role/", 1)[1].split("/", 1)[0]
        subject = account.roles_by_name.get(role_name)
    if not isinstance(subject, User | Role):
        raise InputError(
            str(snapshot),
            Problem(
                "--principal",
                f"{principal!r} is not a user, role or role session of account {account.account_id} in the snapshot",
            ),
        )
    gathered = principal_policies(AnalysisContext(account), subject)
    doc = {"request": {"principal": principal, "action": action, "resource": resource, "context": context}}
    if resource_account is not None:
        doc["request"]["resource_account"] = resource_account
    try:
        request, _ = read_request_document(doc)
    except InputError as exc:
        raise _relocated(exc, "command line", "") from None
    resource_policy = None
    caveats = [*gathered.gaps, *gathered.caveats]
    if action.lower().startswith("sts:assumerole"):
        target = account.principals_by_arn.get(resource)
        if isinstance(target, Role) and target.trust_policy is not None:
            from iamwarden.policy import parse_policy

            try:
                resource_policy = parse_policy(target.trust_policy, name=f"{target.arn} trust policy")
            except InputError as exc:
                caveats.append(f"the trust policy of {target.arn} could not be parsed: {exc.one_line()}")
    decision = evaluate(
        request,
        identity_policies=gathered.identity,
        resource_policy=resource_policy,
        permission_boundary=gathered.boundary,
        scps=gathered.scps,  # the engine exempts the management account and service-linked roles itself
        management_account=gathered.management_account,
    )
    console = Console(highlight=False, soft_wrap=True)
    _emit(sys.stdout, console, decision, doc["request"], json_output, caveats)
    sys.stdout.flush()


@handles_input_errors
def simulate(
    request_file: Annotated[
        Path | None,
        typer.Option(
            "--request-file",
            help="A request document (JSON) or JSON Lines of many; see docs/simulate.md for the format.",
            dir_okay=False,
        ),
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot", "-s", help="A snapshot file: gather the principal's policies from it.", dir_okay=False
        ),
    ] = None,
    principal: Annotated[
        str | None,
        typer.Option("--principal", "-p", help="With --snapshot: a user, role or role-session ARN.", metavar="ARN"),
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="With --snapshot: the action, e.g. s3:GetObject.")
    ] = None,
    resource: Annotated[str, typer.Option("--resource", help="With --snapshot: the resource ARN (default *).")] = "*",
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            "-c",
            help="With --snapshot: a request context key=value (repeat; a repeated key makes a list).",
        ),
    ] = None,
    resource_account: Annotated[
        str | None,
        typer.Option("--resource-account", help="With --snapshot: the resource's account when its ARN has none (S3)."),
    ] = None,
    output_format: Annotated[
        str | None, format_option("text (the default) or json (one JSON decision per line).")
    ] = None,
    json_alias: JsonAliasOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every problem of a bad input.")] = False,
) -> None:
    """Decide requests the way AWS does and explain each decision (policy, statement, effect, missing context keys).

    Either --request-file FILE (one request document, or JSON Lines of many), or --snapshot S --principal ARN
    --action A [--resource R] [--context k=v ...]. Bad input exits 2 naming the file, the line and the JSON path.
    """
    json_output = parse_choice(chosen_format(output_format, json_alias, "text"), ("text", "json")) == "json"
    if request_file is not None:
        if snapshot is not None or principal is not None or action is not None:
            raise InputError("command line", Problem("--request-file", "use either --request-file or --snapshot"))
        if context or resource != "*" or resource_account is not None:
            raise InputError(
                "command line",
                Problem(
                    "--request-file",
                    "--resource, --context and --resource-account go with --snapshot; a request "
                    "document carries its own",
                ),
            )
        _simulate_file(request_file, json_output)
        return
    if snapshot is None:
        raise InputError("command line", Problem("", "give --request-file FILE, or --snapshot S --principal --action"))
    missing = [name for name, value in (("--principal", principal), ("--action", action)) if not value]
    if missing:
        raise InputError("command line", [Problem(name, "required with --snapshot") for name in missing])
    assert principal is not None and action is not None
    _simulate_snapshot(
        snapshot, principal, action, resource, _parse_context(context or []), resource_account, json_output
    )
