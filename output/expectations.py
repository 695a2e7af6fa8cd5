"""`segaudit test` results as text, JSON, JUnit XML (CI test reports) and SARIF (a failed
expectation is a result at its line of the expectations file)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from output.query import answer_doc, pair_lines
from output.sarif import SCHEMA_URI
from scanner.questions.expectations import Outcome, label
from scanner.report import tool_version

RULE_ID = "SEGTEST"


def render_text(outcomes: tuple[Outcome, ...], source: str) -> str:
    lines = []
    for o in outcomes:
        lines.append(f"{'PASS' if o.passed else 'FAIL'}  {o.expectation.name}: {label(o.expectation)}: {o.reason}")
        if not o.passed:
            lines += pair_lines(_telling_pair(o), "      ") if o.answer.pairs else []
    failed = sum(not o.passed for o in outcomes)
    lines.append(f"{len(outcomes) - failed} passed, {failed} failed ({source})")
    return "\n".join(lines) + "\n"


def _telling_pair(o: Outcome) -> Any:
    """The pair that shows why: one that flows for a failed `blocked`, one that stops otherwise."""
    want_flowing = o.expectation.expect == "blocked"
    return next((p for p in o.answer.pairs if bool(p.ports) == want_flowing), o.answer.pairs[0])


def render_json(outcomes: tuple[Outcome, ...], source: str) -> str:
    doc = {
        "file": Path(source).name,
        "passed": sum(o.passed for o in outcomes),
        "failed": sum(not o.passed for o in outcomes),
        "expectations": [{"name": o.expectation.name, "expect": o.expectation.expect, "line": o.expectation.line,
                          "result": "pass" if o.passed else "fail", "reason": o.reason,
                          "query": answer_doc(o.answer)} for o in outcomes],
    }
    return json.dumps(doc, indent=2) + "\n"


def render_junit(outcomes: tuple[Outcome, ...], source: str) -> str:
    """One testsuite per expectations file, one testcase per expectation (the Ant/Jenkins
    JUnit shape every CI test-report reader accepts)."""
    name = Path(source).name
    failed = sum(not o.passed for o in outcomes)
    suites = ET.Element("testsuites", name="segaudit test", tests=str(len(outcomes)), failures=str(failed),
                        errors="0", time="0")
    suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(outcomes)), failures=str(failed),
                          errors="0", skipped="0", time="0")
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", name=o.expectation.name, classname=f"segaudit.{name}", time="0")
        detail = "\n".join([label(o.expectation), o.reason, *(pair_lines(_telling_pair(o), "") if o.answer.pairs else [])])
        if o.passed:
            ET.SubElement(case, "system-out").text = detail
        else:
            failure = ET.SubElement(case, "failure", message=o.reason, type="segmentation")
            failure.text = detail
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render_sarif(outcomes: tuple[Outcome, ...], source: str) -> str:
    name = Path(source).name
    results = []
    for o in outcomes:
        if o.passed:
            continue
        digest = hashlib.sha256(f"{name}\x1f{o.expectation.name}".encode()).hexdigest()[:32]
        results.append({
            "ruleId": RULE_ID,
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": f"Expectation {o.expectation.name!r} failed: {o.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": name},
                                                "region": {"startLine": max(o.expectation.line, 1)}}}],
            "partialFingerprints": {"primaryLocationLineHash": digest},
            "properties": {"expect": o.expectation.expect, "verdict": o.answer.verdict,
                           "ports": o.answer.ports.describe()},
        })
    rule = {
        "id": RULE_ID,
        "name": "segmentation-expectation",
        "shortDescription": {"text": "A segmentation expectation (segaudit test) does not hold"},
        "fullDescription": {"text": "Network Security Architecture, Step 7 (segmentation validation testing): "
                                    "a flow the expectations file says is allowed is blocked, or one it says is "
                                    "blocked flows."},
        "defaultConfiguration": {"level": "error"},
        "help": {"text": "Run 'segaudit query' with the expectation's from, to and ports to see every hop."},
        "properties": {"tags": ["security", "network-segmentation"], "security-severity": "8.0"},
    }
    run = {"tool": {"driver": {"name": "segaudit", "version": tool_version(), "semanticVersion": tool_version(),
                               "rules": [rule]}},
           "results": results, "columnKind": "unicodeCodePoints"}
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


RENDER = {"text": render_text, "json": render_json, "junit": render_junit, "sarif": render_sarif}
