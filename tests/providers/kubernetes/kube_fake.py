"""A fake Kubernetes API server on 127.0.0.1 (port 0): list endpoints only, JSON bodies,
`limit` / `continue` paging at a small page size of its own, 403s where told, and a log
of every request, so the real `kubernetes` client (urllib3) runs against it."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PAGE = 2  # smaller than any limit the client asks for: every list of 3+ items pages

# path -> (api group, resource, namespace group index or None)
ROUTES = [
    (re.compile(r"^/api/v1/namespaces$"), "", "namespaces"),
    (re.compile(r"^/api/v1/(pods|services)$"), "", None),
    (re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/(pods|services)$"), "", None),
    (re.compile(r"^/apis/networking\.k8s\.io/v1/networkpolicies$"), "networking.k8s.io", "networkpolicies"),
    (re.compile(r"^/apis/networking\.k8s\.io/v1/namespaces/(?P<ns>[^/]+)/networkpolicies$"), "networking.k8s.io",
     "networkpolicies"),
    (re.compile(r"^/apis/apps/v1/daemonsets$"), "apps", "daemonsets"),
    (re.compile(r"^/apis/apps/v1/namespaces/(?P<ns>[^/]+)/daemonsets$"), "apps", "daemonsets"),
]


def route(path: str) -> tuple[str, str, str] | None:
    """(api group, resource, namespace or "") of a list path."""
    for pattern, group, resource in ROUTES:
        m = pattern.match(path)
        if m:
            ns = m.groupdict().get("ns") or ""
            return group, resource or path.rsplit("/", 1)[-1], ns
    return None


class FakeCluster:
    def __init__(self) -> None:
        self.objects: dict[str, list[dict]] = {"namespaces": [], "pods": [], "services": [], "networkpolicies": [],
                                               "daemonsets": []}
        self.forbidden: set[tuple[str, str]] = set()  # (resource, namespace or "*" for cluster-wide)
        self.calls: list[tuple[str, str, dict]] = []  # (method, path, query)
        self.throttled: dict[str, int] = {}  # path -> how many more 429s it answers
        self._server: ThreadingHTTPServer | None = None

    def add(self, resource: str, obj: dict) -> None:
        self.objects[resource].append(obj)

    def throttle(self, path: str, times: int) -> None:
        self.throttled[path] = times

    def forbid(self, resource: str, namespace: str = "*") -> None:
        self.forbidden.add((resource, namespace))

    # -- serving ----------------------------------------------------------------
    def __enter__(self) -> "FakeCluster":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.calls.append(("GET", url.path, query))
                if fake.throttled.get(url.path, 0) > 0:
                    fake.throttled[url.path] -= 1
                    self._answer(429, {"kind": "Status", "reason": "TooManyRequests", "message": "slow down"},
                                 {"Retry-After": "0"})
                    return
                self._answer(*fake.answer(url.path, query))

            def _other(self):
                fake.calls.append((self.command, urlparse(self.path).path, {}))
                self._answer(405, {"kind": "Status", "reason": "MethodNotAllowed", "message": "read-only fake"})

            do_POST = do_PUT = do_PATCH = do_DELETE = _other

            def _answer(self, status, doc, headers=None):
                body = json.dumps(doc).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def kubeconfig(self, tmp_path, cluster: str = "fake-cluster") -> str:
        path = tmp_path / "kubeconfig"
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": cluster, "cluster": {"server": self.url}}],
            "users": [{"name": "auditor", "user": {"token": "secret-token-never-printed"}}],
            "contexts": [{"name": "fake", "context": {"cluster": cluster, "user": "auditor"}}],
        }))
        return str(path)

    def answer(self, path: str, query: dict) -> tuple[int, dict]:
        found = route(path)
        if found is None:
            return 404, {"kind": "Status", "reason": "NotFound", "message": f"{path} not served"}
        _group, resource, ns = found
        if (resource, ns or "*") in self.forbidden:
            where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
            return 403, {"kind": "Status", "status": "Failure", "reason": "Forbidden", "code": 403,
                         "message": f'{resource} is forbidden: User "auditor" cannot list resource '
                                    f'"{resource}"{where}'}
        items = [o for o in self.objects[resource]
                 if not ns or resource == "namespaces" or o["metadata"].get("namespace") == ns]
        start = int(query.get("continue") or 0)
        size = min(int(query.get("limit") or len(items) or 1), PAGE)
        page, rest = items[start:start + size], start + size < len(items)
        return 200, {"kind": "List", "apiVersion": "v1", "items": page,
                     "metadata": {"continue": str(start + size) if rest else ""}}
