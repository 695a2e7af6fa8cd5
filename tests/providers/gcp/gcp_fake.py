"""An offline Compute REST API for one or more projects, served through `responses`.

Scenario files in data/ hold each project's records in the REST API's own JSON shapes;
the fake wraps them in list / aggregated-list envelopes, pages them (`pageToken`), and
can answer with faults (403, 429, 503) so the real google-cloud-compute code runs.
"""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import responses

DATA = Path(__file__).parent / "data"
DEFAULT_HOST = "https://compute.googleapis.com"

LISTS = {  # path under the project -> (record key, kind)
    "global/networks": ("networks", "compute#networkList"),
    "global/firewalls": ("firewalls", "compute#firewallList"),
    "global/routes": ("routes", "compute#routeList"),
    "global/forwardingRules": ("globalForwardingRules", "compute#forwardingRuleList"),
}
AGGREGATED = {  # aggregated/<name> -> (record key, key inside a scope, kind)
    "subnetworks": ("subnetworks", "subnetworks", "compute#subnetworkAggregatedList"),
    "routers": ("routers", "routers", "compute#routerAggregatedList"),
    "instances": ("instances", "instances", "compute#instanceAggregatedList"),
    "forwardingRules": ("forwardingRules", "forwardingRules", "compute#forwardingRuleAggregatedList"),
    "firewallPolicies": ("firewallPolicies", "firewallPolicies", "compute#networkFirewallPolicyAggregatedList"),
}
URL = re.compile(r"^/compute/v1/projects/(?P<project>[^/]+)/(?P<rest>.+)$")


def scenario(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def error(status: int, message: str, reason: str, state: str) -> tuple[int, dict, str]:
    body = {"error": {"code": status, "message": message, "status": state,
                      "errors": [{"message": message, "domain": "global", "reason": reason}]}}
    return status, {"Content-Type": "application/json"}, json.dumps(body)


FORBIDDEN = error(403, "Compute Engine API has not been used in project before or it is disabled.",
                  "accessNotConfigured", "PERMISSION_DENIED")
THROTTLED = error(429, "Quota exceeded for quota metric 'Read requests'.", "rateLimitExceeded", "RESOURCE_EXHAUSTED")
UNAVAILABLE = error(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE")


def _scope(record: dict) -> str:
    if record.get("zone"):
        return "zones/" + record["zone"].rstrip("/").rsplit("/", 1)[-1]
    if record.get("region"):
        return "regions/" + record["region"].rstrip("/").rsplit("/", 1)[-1]
    return "global"


class FakeCompute:
    """Register on a RequestsMock; add projects; inject faults with `fault`."""

    def __init__(self, rsps: responses.RequestsMock, host: str = DEFAULT_HOST, page_size: int = 500) -> None:
        self.projects: dict[str, dict] = {}
        self.page_size = page_size
        self.fault: Callable[[str, str], tuple[int, dict, str] | None] | None = None
        self.seen: list[tuple[str, str]] = []  # (method, url) of every request the SDK made
        self.authorization: set[str] = set()  # the Authorization headers it sent
        self._lock = threading.Lock()
        pattern = re.compile(re.escape(host) + r"/compute/v1/.*")
        for method in (responses.GET, responses.POST, responses.PUT, responses.PATCH, responses.DELETE):
            rsps.add_callback(method, pattern, callback=self._answer)

    def add(self, project: str, records: dict) -> "FakeCompute":
        self.projects[project] = records
        return self

    def _answer(self, request: Any) -> tuple[int, dict, str]:
        url = urlparse(request.url)
        with self._lock:
            self.seen.append((request.method, request.url))
            self.authorization.add(request.headers.get("Authorization", ""))
        if request.method != "GET":
            return error(405, "segaudit must not write", "methodNotAllowed", "FAILED_PRECONDITION")
        match = URL.match(url.path)
        if not match:
            return error(404, "not found", "notFound", "NOT_FOUND")
        project, rest = match["project"], match["rest"]
        if self.fault is not None:
            answer = self.fault(project, rest)
            if answer is not None:
                return answer
        records = self.projects.get(project)
        if records is None or records.get("denied"):
            return FORBIDDEN
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        start = int(query.get("pageToken") or 0)
        size = min(int(query.get("maxResults") or 500), self.page_size)
        self_link = f"https://www.googleapis.com/compute/v1/projects/{project}/{rest}"
        if rest in LISTS:
            key, kind = LISTS[rest]
            items = records.get(key) or []
            body = {"kind": kind, "id": f"projects/{project}/{rest}", "selfLink": self_link,
                    "items": items[start:start + size]}
        elif rest.startswith("aggregated/") and rest.split("/", 1)[1] in AGGREGATED:
            key, inner, kind = AGGREGATED[rest.split("/", 1)[1]]
            page = (records.get(key) or [])[start:start + size]
            scoped: dict[str, dict] = {}
            for record in page:
                scoped.setdefault(_scope(record), {inner: []})[inner].append(record)
            if not page:
                scoped["regions/us-central1"] = {"warning": {
                    "code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'regions/us-central1' on this page.",
                    "data": [{"key": "scope", "value": "regions/us-central1"}]}}
            if start == 0:  # a scope that could not answer, as the API reports it
                scoped.update((records.get("scopeWarnings") or {}).get(key, {}))
            if start == 0:  # a scope that could not answer, as the API reports it
                scoped.update((records.get("scopeWarnings") or {}).get(key, {}))
            items = records.get(key) or []
            body = {"kind": kind, "id": f"projects/{project}/{rest}", "selfLink": self_link, "items": scoped}
        else:
            m = re.fullmatch(r"global/networks/([^/]+)/getEffectiveFirewalls", rest)
            if not m:
                return error(404, f"unknown path {rest}", "notFound", "NOT_FOUND")
            if records.get("effectiveFirewallsDenied"):
                return error(403, "Required 'compute.networks.getEffectiveFirewalls' permission", "forbidden",
                             "PERMISSION_DENIED")
            body = (records.get("effectiveFirewalls") or {}).get(m[1], {"firewalls": [], "firewallPolicys": []})
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return 200, {"Content-Type": "application/json"}, json.dumps(body)
