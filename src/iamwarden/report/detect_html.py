"""The Activity section (``templates/_activity.html.j2``): in ``scan``'s HTML report when it is given CloudTrail logs
(``scan --cloudtrail``), and as a page of its own with ``detect --format html`` (one self-contained HTML file, no
script, nothing fetched).

The alerts worst first (severity, first and last time, technique, ATT&CK ids, principal), then a timeline per
principal (worst first), each alert a ``<details>`` element with its rule (author and licence), ATT&CK ids, false
positives, why its severity changed, and the quoted events (secrets masked by
:func:`iamwarden.report.detect_outputs.mask`). Rendered by Jinja with autoescaping; the style is the findings
report's (``templates/report.css``), allowed by its hash in a ``default-src 'none'`` Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from iamwarden import __version__
from iamwarden.detections import Detection
from iamwarden.report.detect_console import summary_line
from iamwarden.report.detect_outputs import alert_json


def activity_view(result: Detection) -> dict[str, Any]:
    """What ``templates/_activity.html.j2`` shows: the summary, the input problems, every alert worst first (severity,
    time, technique, principal) and a timeline per principal, worst principal first."""
    by_principal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ranks: dict[str, int] = {}
    for alert in result.alerts:
        by_principal[alert.principal].append(alert_json(alert))
        ranks[alert.principal] = max(ranks.get(alert.principal, 0), alert.rank)
    principals = sorted(by_principal, key=lambda p: (-ranks[p], p))
    index = {p: n for n, p in enumerate(principals, 1)}
    alerts = [
        {**alert_json(a), "principal_index": index[a.principal]}
        for a in sorted(result.alerts, key=lambda a: (-a.rank, a.first, a.principal, a.rule.title))
    ]
    return {
        "summary": summary_line(result),
        "problems": result.report.problem_lines(),
        "alerts": alerts,
        "timeline": [(p, sorted(by_principal[p], key=lambda a: a["first"])) for p in principals],
    }


def render_activity(result: Detection) -> str:
    """``detect --format html``: the Activity section as a page of its own."""
    css = (files("iamwarden.report") / "templates" / "report.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iamwarden.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("activity.html.j2").render(
        version=__version__, activity=activity_view(result), css=Markup(css), csp=csp
    )
