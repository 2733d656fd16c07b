"""Detection alerts as files: JSON Lines, CSV, OCSF Detection Findings (class 2004).

Every format starts from :func:`alert_json`, one dictionary per alert, so they say the same thing. Quoted events have
their secret-looking values masked (:func:`mask`): a key naming a secret, password, token or private key keeps only
its last four characters.

OCSF (github.com/ocsf/ocsf-schema ``events/findings/detection_finding.json``, ``objects/finding_info.json``,
``objects/analytic.json``, ``objects/attack.json``, ``objects/actor.json``, ``objects/evidences.json``): one Detection
Finding per alert, version :data:`iamwarden.report.ocsf.OCSF_VERSION` like the compliance findings. ``severity_id``:
info 1 (Informational), low 2, medium 3, high 4, critical 5. The analytic is the rule (``type_id`` 1 Rule), each ATT&CK
technique id an ``attacks`` entry, the quoted events are ``evidences`` (actor and API call each); what OCSF has no
attribute for (the rule's author and licence, the Stratus technique, CIS ids, false positives, why the severity
changed, who the principal is) is under ``unmapped``.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from iamwarden import __version__
from iamwarden.detections import Alert, Detection
from iamwarden.report.files import json_array_lines
from iamwarden.report.ocsf import OCSF_VERSION
from iamwarden.runtime import write_atomically

CLASS_UID = 2004
CLASS_NAME = "Detection Finding"
CATEGORY_UID = 2
TYPE_UID = CLASS_UID * 100 + 1
SEVERITY_ID: Mapping[str, tuple[int, str]] = {
    "info": (1, "Informational"),
    "low": (2, "Low"),
    "medium": (3, "Medium"),
    "high": (4, "High"),
    "critical": (5, "Critical"),
}
SEVERITIES = ("info", "low", "medium", "high", "critical")
"""An alert's severity as every report and command says it (scan's words): Sigma's ``informational`` level is
``info``; the rule's own ``level`` is kept as Sigma wrote it."""


def severity_of(alert: Alert) -> str:
    """The alert's severity (the rule's level, raised or lowered by who the principal is) in :data:`SEVERITIES`."""
    level = alert.severity or alert.rule.level
    return "info" if level == "informational" else level


_SECRET_KEY = re.compile(r"secret|password|token|privatekey|credential", re.IGNORECASE)


def mask(value: Any, key: str = "") -> Any:
    """``value`` with the strings under secret-looking keys cut to their last four characters.

    >>> mask({"userName": "bob", "password": "hunter22", "nested": [{"sessionToken": "abcdefgh"}]})
    {'userName': 'bob', 'password': '****er22', 'nested': [{'sessionToken': '****efgh'}]}
    """
    if isinstance(value, dict):
        return {k: mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str) and _SECRET_KEY.search(key) and not value.startswith("HIDDEN_DUE_TO"):
        return "****" + value[-4:] if len(value) > 8 else "****"
    return value


def alert_json(alert: Alert) -> dict[str, Any]:
    rule = alert.rule
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": severity_of(alert),
        "rule": {
            "id": rule.id,
            "name": rule.name,
            "title": rule.title,
            "level": rule.level,
            "author": rule.author,
            "license": rule.license,
            "source": rule.source,
            "technique": rule.technique,
            "attack": list(rule.attack),
            "cis": list(rule.cis),
            "falsepositives": list(rule.falsepositives),
        },
        "principal": alert.principal,
        "first": alert.first.isoformat(),
        "last": alert.last.isoformat(),
        "count": alert.count,
        "group": dict(alert.group),
        "reasons": list(alert.reasons),
        "context": alert.context,
        "event_ids": list(alert.event_ids),
        "events": [mask(e) for e in alert.events],
    }


def jsonl(alerts: Iterable[Alert]) -> bytes:
    return b"".join(orjson.dumps(alert_json(a), option=orjson.OPT_SORT_KEYS) + b"\n" for a in alerts)


CSV_COLUMNS = (
    "first",
    "last",
    "severity",
    "principal",
    "rule",
    "technique",
    "attack",
    "count",
    "events",
    "author",
    "license",
    "id",
)


def csv_text(alerts: Iterable[Alert]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in alerts:
        writer.writerow(
            [
                a.first.isoformat(),
                a.last.isoformat(),
                severity_of(a),
                a.principal,
                a.rule.title,
                a.rule.technique or "",
                " ".join(a.rule.attack),
                a.count,
                " ".join(a.event_ids[:20]),
                a.rule.author,
                a.rule.license,
                a.id,
            ]
        )
    return out.getvalue()


def _millis(alert: Alert, last: bool = False) -> int:
    return int((alert.last if last else alert.first).timestamp() * 1000)


def _evidence(event: Mapping[str, Any]) -> dict[str, Any]:
    identity = event.get("userIdentity") or {}
    evidence: dict[str, Any] = {
        "api": {
            "operation": event.get("eventName"),
            "service": {"name": event.get("eventSource")},
            "request": {"uid": event.get("requestID") or event.get("eventID") or ""},
        },
        "actor": {"user": {"uid": identity.get("arn") or identity.get("principalId"), "type": identity.get("type")}},
    }
    if event.get("sourceIPAddress"):
        evidence["src_endpoint"] = (
            {"ip": event["sourceIPAddress"]}
            if _ip(event["sourceIPAddress"])
            else {"svc_name": event["sourceIPAddress"]}
        )
    if event.get("errorCode"):
        evidence["api"]["response"] = {"error": event["errorCode"], "error_message": event.get("errorMessage")}
    return evidence


def _ip(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F:.]+", text))


def ocsf_detection(alert: Alert) -> dict[str, Any]:
    rule = alert.rule
    severity_id, severity = SEVERITY_ID[severity_of(alert)]
    first = alert.events[0] if alert.events else {}
    account = first.get("recipientAccountId") or (first.get("userIdentity") or {}).get("accountId")
    cloud: dict[str, Any] = {"provider": "AWS"}
    if account:
        cloud["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    if first.get("awsRegion"):
        cloud["region"] = first["awsRegion"]
    return {
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": TYPE_UID,
        "type_name": f"{CLASS_NAME}: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "message": f"{rule.title}: {alert.principal} ({alert.count} event{'s' if alert.count != 1 else ''})",
        "time": _millis(alert),
        "time_dt": alert.first.isoformat(),
        "count": alert.count,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "iamwarden", "vendor_name": "iamwarden", "version": __version__},
            "event_code": rule.id,
            "profiles": ["cloud"],
        },
        "finding_info": {
            "uid": alert.id,
            "title": rule.title,
            "desc": rule.description or rule.title,
            "types": [alert.kind],
            "first_seen_time": _millis(alert),
            "last_seen_time": _millis(alert, last=True),
            "analytic": {"uid": rule.id, "name": rule.name, "type_id": 1, "type": "Rule"},
            "attacks": [{"technique": {"uid": t}, "version": "16"} for t in rule.attack],
            "related_events_count": alert.count,
        },
        "actor": {"user": {"uid": alert.principal}},
        "cloud": cloud,
        "evidences": [_evidence(mask(e)) for e in alert.events],
        "unmapped": {
            "rule_author": rule.author,
            "rule_license": rule.license,
            "rule_source": rule.source,
            "stratus_technique": rule.technique,
            "cis": list(rule.cis),
            "falsepositives": list(rule.falsepositives),
            "severity_reasons": list(alert.reasons),
            "principal_context": alert.context,
            "event_ids": list(alert.event_ids),
            "group": dict(alert.group),
        },
    }


SUFFIXES = {"jsonl": "alerts.jsonl", "csv": "alerts.csv", "ocsf": "alerts.ocsf.json", "html": "activity.html"}


def render(result: Detection, fmt: str) -> bytes:
    alerts = result.alerts
    if fmt == "html":
        from iamwarden.report.detect_html import render_activity

        return render_activity(result).encode()
    if fmt == "jsonl":
        return jsonl(alerts)
    if fmt == "csv":
        return csv_text(alerts).encode()
    if fmt == "ocsf":
        return json_array_lines(ocsf_detection(a) for a in alerts)
    raise ValueError(fmt)


def write_outputs(result: Detection, formats: list[str], output: Path | None) -> list[Path]:
    """Write each file format: to ``output`` (a file for one format, a folder for several), else to stdout."""
    written: list[Path] = []
    for fmt in formats:
        data = render(result, fmt)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            continue
        path = output / SUFFIXES[fmt] if len(formats) > 1 or output.is_dir() else output
        write_atomically(path, data, f"the {fmt} alerts")
        written.append(path)
    return written
