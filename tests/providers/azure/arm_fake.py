"""An offline Azure Resource Manager for tests: `responses` answers every request to the
ARM endpoint from recorded estates, so the real azure-mgmt-network / azure-core code runs
(paging through nextLink, retry policy, error mapping, bearer auth).
"""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import responses
from azure.core.credentials import AccessToken

DATA = Path(__file__).parent / "data"
PUBLIC = "https://management.azure.com"
FAR_FUTURE = 4_102_444_800  # 2100-01-01


def load(*names: str) -> dict[str, dict[str, Any]]:
    """Subscriptions of one or more scenario files, merged."""
    subscriptions: dict[str, dict[str, Any]] = {}
    for name in names:
        for sub, estate in json.loads((DATA / f"{name}.json").read_text())["subscriptions"].items():
            target = subscriptions.setdefault(sub, {"displayName": estate.get("displayName", "")})
            for kind, items in estate.items():
                if kind != "displayName":
                    target.setdefault(kind, []).extend(items)
    return subscriptions


class FakeCredential:
    """A TokenCredential that never leaves the process; records the scopes asked for."""

    def __init__(self, token: str = "fake") -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, FAR_FUTURE)


def _error(status: int, code: str, message: str, headers: dict | None = None):
    return status, {"content-type": "application/json", **(headers or {})}, json.dumps(
        {"error": {"code": code, "message": message}})


class FakeArm:
    """`with FakeArm(subscriptions) as arm:` intercepts the endpoint; `arm.calls` lists
    (method, path, authorization header) of every request."""

    def __init__(self, subscriptions: dict[str, dict[str, Any]], endpoint: str = PUBLIC, page_size: int = 2,
                 denied: tuple[str, ...] = (),
                 fault: Callable[[str, str], tuple[int, dict, str] | None] | None = None) -> None:
        self.subscriptions = subscriptions
        self.endpoint = endpoint.rstrip("/")
        self.page_size = page_size
        self.denied = set(denied)
        self.fault = fault
        self.calls: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "FakeArm":
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._mock.__enter__()
        pattern = re.compile(re.escape(self.endpoint) + r"(/.*)?$")
        for method in (responses.GET, responses.POST, responses.PUT, responses.PATCH, responses.DELETE):
            self._mock.add_callback(method, pattern, callback=self._handle)
        return self

    def also(self, method: str, pattern: "re.Pattern[str]", callback: Callable) -> None:
        """Fake another host in the same mock (a login endpoint): one mock intercepts all."""
        self._mock.add_callback(method, pattern, callback=callback)

    def __exit__(self, *exc: Any) -> None:
        self._mock.__exit__(*exc)

    def _handle(self, request: Any):
        url = urlsplit(request.url)
        query = parse_qs(url.query)
        with self._lock:
            self.calls.append((request.method, url.path, request.headers.get("Authorization", "")))
        if self.fault is not None:
            injected = self.fault(request.method, url.path + ("?" + url.query if url.query else ""))
            if injected is not None:
                return injected
        if request.method != "GET":
            return _error(405, "MethodNotAllowed", "the fake ARM is read-only")
        if "api-version" not in query:
            return _error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
        segments = url.path.strip("/").split("/")
        if segments == ["subscriptions"]:
            subs = sorted(set(self.subscriptions) | self.denied)
            return self._page(url, query, [
                {"id": f"/subscriptions/{s}", "subscriptionId": s, "tenantId": "00000000-0000-0000-0000-0000000000aa",
                 "displayName": self.subscriptions.get(s, {}).get("displayName", "denied"), "state": "Enabled"}
                for s in subs])
        sub = segments[1] if len(segments) > 1 else ""
        if sub in self.denied:
            action = "Microsoft.Network/" + "/".join(segments[-1:])
            return _error(403, "AuthorizationFailed",
                          f"The client 'segaudit-ci' does not have authorization to perform action "
                          f"'{action}/read' over scope '/subscriptions/{sub}' or the scope is invalid.")
        estate = self.subscriptions.get(sub)
        if estate is None:
            return _error(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")
        lower = [s.lower() for s in segments]
        if len(segments) == 5 and lower[2:4] == ["providers", "microsoft.network"]:
            return self._page(url, query, estate.get(segments[4], []))
        if len(segments) == 9 and lower[6] == "networkwatchers" and lower[8] == "flowlogs":
            watcher = "/".join(segments[:8]).lower()
            logs = [f for f in estate.get("flowLogs", []) if f["id"].lower().startswith("/" + watcher + "/")]
            return self._page(url, query, logs)
        if len(segments) == 9 and lower[6] == "firewallpolicies" and lower[8] == "rulecollectiongroups":
            parent = "/" + "/".join(segments[:8]).lower() + "/"
            groups = [g for g in estate.get("firewallPolicyRuleCollectionGroups", [])
                      if g["id"].lower().startswith(parent)]
            return self._page(url, query, groups)
        return _error(404, "InvalidResourceType", f"no fake for {url.path}")

    def _page(self, url: Any, query: dict, items: list) -> tuple[int, dict, str]:
        page = int(query.get("$skiptoken", ["0"])[0])
        chunk = items[page * self.page_size:(page + 1) * self.page_size]
        body: dict[str, Any] = {"value": chunk}
        if (page + 1) * self.page_size < len(items):
            # ARM's nextLink is a full URL carrying api-version (the SDK follows it verbatim).
            body["nextLink"] = (f"{self.endpoint}{url.path}?api-version={query['api-version'][0]}"
                                f"&%24skiptoken={page + 1}")
        return 200, {"content-type": "application/json"}, json.dumps(body)

    def gets(self) -> list[str]:
        return [path for method, path, _ in self.calls if method == "GET"]
