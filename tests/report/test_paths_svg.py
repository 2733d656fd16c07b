"""The escalation graph of the HTML report (iamwarden.report.paths_svg): the demo's paths as nodes and labelled
edges, laid out without overlaps, cut to a limit with the rest counted, absent when nobody can escalate."""

from __future__ import annotations

from typing import Any

import pytest

from iamwarden.checks.runner import run_checks
from iamwarden.collect.snapshot import read_snapshot
from iamwarden.model import build_account
from iamwarden.report.findings_json import report_json
from iamwarden.report.html import render_html
from iamwarden.report.paths_svg import NODE_H, escalation_document, escalation_graph
from tests.cli.test_paths_cmd import DEMO


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    report = report_json(run_checks(build_account(read_snapshot(DEMO))))
    return escalation_document(report["findings"], report["account"]["id"])


def test_the_demo_paths_are_nodes_and_labelled_edges(document: dict[str, Any]) -> None:
    graph = escalation_graph(document)
    assert graph is not None
    kinds = {n.name: n.kind for n in graph["nodes"]}
    assert kinds == {
        "role/github-deploy-infra": "start",
        "role/cicd-policy-manager": "goal",
        "role/ops-automation-lambda": "start",
        "role/invoice-processor-lambda": "hop",
    }
    labels = {(e.label, e.lateral) for e in graph["edges"]}
    assert labels == {
        ("sts-001", False),
        ("iam-001", False),
        ("lambda-003, lambda-004, lambda-005", True),
        ("lambda-001, lambda-003, lambda-004", True),
    }
    sts = next(e for e in graph["edges"] if e.label == "sts-001")
    assert sts.title == "sts-001: sts:AssumeRole"
    column = {n.name: n.x for n in graph["nodes"]}
    assert (
        column["role/github-deploy-infra"]
        < column["role/cicd-policy-manager"]
        < column["role/invoice-processor-lambda"]
    )
    routes = {(r["route"], r["outcome"]) for r in graph["routes"]}
    assert ("role/github-deploy-infra → role/cicd-policy-manager → (itself)", "administrator") in routes
    assert graph["principals"] == 3 and graph["left_out"] == 0


def test_nodes_do_not_overlap_and_fit_the_drawing(document: dict[str, Any]) -> None:
    graph = escalation_graph(document)
    assert graph is not None
    nodes = graph["nodes"]
    for a in nodes:
        assert a.x >= 0 and a.x + a.width <= graph["width"] and a.y >= 0 and a.y + NODE_H <= graph["height"]
        for b in nodes:
            if a is not b:
                apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + NODE_H <= b.y or b.y + NODE_H <= a.y
                assert apart, (a.name, b.name)


def test_a_large_graph_is_cut_and_says_how_many_are_left_out(document: dict[str, Any]) -> None:
    graph = escalation_graph(document, limit=2)
    assert graph is not None
    assert graph["principals"] == 1 and graph["left_out"] == 2
    assert [n.name for n in graph["nodes"]] == ["role/cicd-policy-manager"]  # the shortest path first


def test_no_section_without_paths(document: dict[str, Any]) -> None:
    assert escalation_graph({**document, "principals": []}) is None
    suppressed = [
        {"check": "least_privilege.privilege_escalation", "status": "fail", "suppressed": {}, "resource": "x"}
    ]
    assert escalation_document(suppressed, "444455556666")["principals"] == []


def test_the_report_draws_it_inline() -> None:
    text = render_html(run_checks(build_account(read_snapshot(DEMO))))
    section = text.split('<section id="escalation"', 1)[1].split("</section>", 1)[0]
    assert section.count('<g class="node') == 4 and section.count('<g class="edge') == 4
    assert "http" not in section.replace('xmlns="http://www.w3.org/2000/svg"', "")
