"""Does a SARIF file pass the official schema and GitHub code scanning's upload rules?

schema_problems() runs the OASIS SARIF 2.1.0 schema (draft-04) shipped in output/schemas;
github_problems() checks what GitHub adds on top for a tool whose "files" are cloud
resources: one relative location per result, our own fingerprints, rule metadata that
code scanning shows, and its size limits. Both return a list of problems, empty when fine.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator

MAX_RUNS = 20
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_RELATED = 1_000  # related locations per result GitHub keeps
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PERCENT_ENCODED = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-Fa-f]{2})+$")
_SEVERITY = re.compile(r"^(?:10(?:\.0+)?|\d(?:\.\d+)?)$")


@lru_cache(maxsize=1)
def _validator() -> Draft4Validator:
    text = resources.files("output").joinpath("schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    return Draft4Validator(json.loads(text))


def schema_problems(doc: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors]


def _uri_problem(uri: Any) -> str | None:
    if not isinstance(uri, str) or not uri:
        return "has no artifactLocation.uri"
    if _SCHEME.match(uri) or ":" in uri:
        return f"uri {uri!r} has a scheme or a ':'"
    if uri.startswith("/") or ".." in uri.split("/"):
        return f"uri {uri!r} is not a relative path inside the repository"
    if not _PERCENT_ENCODED.match(uri):
        return f"uri {uri!r} is not percent-encoded"
    return None


def _rule_problems(where: str, rule: dict[str, Any]) -> list[str]:
    out = []
    for key in ("id", "name"):
        if not isinstance(rule.get(key), str) or not rule[key]:
            out.append(f"{where}: no {key}")
    for key in ("shortDescription", "fullDescription"):
        if not (rule.get(key) or {}).get("text"):
            out.append(f"{where}: no {key}.text")
    help_ = rule.get("help") or {}
    if not help_.get("text"):
        out.append(f"{where}: no help.text")
    if not help_.get("markdown"):
        out.append(f"{where}: no help.markdown")
    elif "](http" not in help_["markdown"]:
        out.append(f"{where}: help.markdown has no reference link")
    if not (rule.get("defaultConfiguration") or {}).get("level"):
        out.append(f"{where}: no defaultConfiguration.level")
    props = rule.get("properties") or {}
    tags = props.get("tags")
    if not isinstance(tags, list) or "security" not in tags:
        out.append(f"{where}: properties.tags lacks 'security' (GitHub files it under security alerts)")
    elif len(tags) > MAX_TAGS:
        out.append(f"{where}: {len(tags)} tags, GitHub keeps at most {MAX_TAGS}")
    sev = props.get("security-severity")
    if not isinstance(sev, str) or not _SEVERITY.match(sev):
        out.append(f"{where}: properties.security-severity must be a string number 0.0-10.0, got {sev!r}")
    return out


def _result_problems(where: str, res: dict[str, Any], rule_ids: list[str]) -> list[str]:
    out = []
    rule_id = res.get("ruleId")
    if rule_id not in rule_ids:
        out.append(f"{where}: ruleId {rule_id!r} is not a rule of the run")
    elif "ruleIndex" in res and rule_ids[res["ruleIndex"]] != rule_id:
        out.append(f"{where}: ruleIndex {res['ruleIndex']} does not point at {rule_id}")
    if not (res.get("message") or {}).get("text"):
        out.append(f"{where}: no message.text")
    locations = res.get("locations")
    if not isinstance(locations, list) or len(locations) != 1:
        out.append(f"{where}: needs exactly one location, has {len(locations or [])}")
    else:
        phys = locations[0].get("physicalLocation") or {}
        problem = _uri_problem((phys.get("artifactLocation") or {}).get("uri"))
        if problem:
            out.append(f"{where}: {problem}")
        if (phys.get("region") or {}).get("startLine") != 1:
            out.append(f"{where}: region.startLine must be 1")
    related = res.get("relatedLocations") or []
    if len(related) > MAX_RELATED:
        out.append(f"{where}/relatedLocations: {len(related)}, GitHub keeps at most {MAX_RELATED}")
    ids = [loc.get("id") for loc in related]
    if any(not isinstance(i, int) or i < 0 for i in ids) or len(set(ids)) != len(ids):
        out.append(f"{where}/relatedLocations: every one needs its own non-negative integer id")
    for i, loc in enumerate(related):
        problem = _uri_problem(((loc.get("physicalLocation") or {}).get("artifactLocation") or {}).get("uri"))
        if problem:
            out.append(f"{where}/relatedLocations/{i}: {problem}")
    props = res.get("properties") or {}
    resource_id = (props.get("resource") or {}).get("id")
    if not resource_id:
        out.append(f"{where}: properties.resource.id missing")
    elif resource_id not in (res.get("message") or {}).get("text", ""):
        out.append(f"{where}: the message does not name the resource id {resource_id}")
    if not (res.get("partialFingerprints") or {}).get("primaryLocationLineHash"):
        out.append(f"{where}: no partialFingerprints.primaryLocationLineHash")
    for i, sup in enumerate(res.get("suppressions") or []):
        if sup.get("kind") != "external" or not sup.get("justification"):
            out.append(f"{where}/suppressions/{i}: needs kind external and a justification")
    return out


def github_problems(doc: Any) -> list[str]:
    if not isinstance(doc, dict) or doc.get("version") != "2.1.0":
        return ["not a SARIF 2.1.0 log"]
    runs = doc.get("runs")
    if not isinstance(runs, list) or not runs:
        return ["/runs: needs at least one run"]
    out = []
    if len(runs) > MAX_RUNS:
        out.append(f"/runs: {len(runs)} runs, GitHub accepts at most {MAX_RUNS}")
    for r, run in enumerate(runs):
        base = f"/runs/{r}"
        driver = (run.get("tool") or {}).get("driver") or {}
        if not driver.get("name"):
            out.append(f"{base}/tool/driver: no name")
        rules = driver.get("rules") or []
        if len(rules) > MAX_RULES:
            out.append(f"{base}: {len(rules)} rules, GitHub accepts at most {MAX_RULES}")
        for i, rule in enumerate(rules):
            out += _rule_problems(f"{base}/tool/driver/rules/{i}", rule)
        rule_ids = [rule.get("id") for rule in rules]
        if len(set(rule_ids)) != len(rule_ids):
            out.append(f"{base}/tool/driver/rules: duplicate rule ids")
        results = run.get("results")
        if not isinstance(results, list):
            out.append(f"{base}/results: must be an array, even when empty (a clean scan closes alerts)")
            results = []
        if len(results) > MAX_RESULTS:
            out.append(f"{base}/results: {len(results)} results, GitHub accepts at most {MAX_RESULTS}")
        for i, res in enumerate(results):
            out += _result_problems(f"{base}/results/{i}", res, rule_ids)
        auto = run.get("automationDetails")
        if auto is not None and not auto.get("id"):
            out.append(f"{base}/automationDetails: present without an id")
        invocations = run.get("invocations")
        if not isinstance(invocations, list) or not invocations:
            out.append(f"{base}/invocations: missing (gaps and check errors belong there)")
    return out


def problems(doc: Any) -> list[str]:
    """Both validators at once."""
    return schema_problems(doc) + github_problems(doc)
