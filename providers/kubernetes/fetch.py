"""Read one cluster through the official `kubernetes` client: list calls only (rbac.yaml).

Every list is paged with `limit` / `continue` and read as the API's own JSON
(`_preload_content=False`), the same shape manifests have. Without --namespace the
cluster-wide lists are tried first (three calls for the whole cluster); where one is
forbidden, that resource is read namespace by namespace, so a namespace the account may
not read is one gap and the rest is kept. DaemonSets of every namespace tell the CNI.
"""
from __future__ import annotations

import json
from concurrent.futures import Future
from typing import Any, Callable, Iterable

from kubernetes.client import ApiClient, AppsV1Api, CoreV1Api, NetworkingV1Api
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from providers.kubernetes.raw import Cluster, PodSource, dig, labels_of, meta
from scanner.model import CollectionError
from scanner.pool import bounded_pool

PAGE_SIZE = 500
CALL_TIMEOUT = 60
SKIPPED_PHASES = ("Succeeded", "Failed")  # finished pods hold no address and take no traffic


class Gap(Exception):
    def __init__(self, error: CollectionError, status: int | None) -> None:
        super().__init__(error.message)
        self.error, self.status = error, status


class Reader:
    def __init__(self, api_client: ApiClient, cluster: str) -> None:
        self.cluster = cluster
        self.core, self.net, self.apps = CoreV1Api(api_client), NetworkingV1Api(api_client), AppsV1Api(api_client)

    def listing(self, operation: str, fn: Callable[..., Any], namespace: str = "", **kw: Any) -> list[dict]:
        """Every item of a list call, page by page; a refusal raises Gap."""
        if namespace:
            kw["namespace"] = namespace
        items: list[dict] = []
        token = None
        try:
            while True:
                resp = fn(limit=PAGE_SIZE, _continue=token, _preload_content=False,
                          _request_timeout=CALL_TIMEOUT, **kw)
                doc = json.loads(resp.data)
                items += doc.get("items") or []
                token = dig(doc, "metadata", "continue")
                if not token:
                    return items
        except ApiException as exc:
            raise Gap(self._gap(operation, namespace, _reason(exc), _message(exc)), exc.status) from None
        except (HTTPError, OSError, ValueError) as exc:  # connection refused, TLS, a body that is not JSON
            raise Gap(self._gap(operation, namespace, type(exc).__name__, str(exc)), None) from None

    def _gap(self, operation: str, namespace: str, code: str, message: str) -> CollectionError:
        return CollectionError(provider="kubernetes", account=self.cluster, region=namespace, service="kubernetes",
                               operation=operation, code=code, message=" ".join(message.split())[:500])


def _reason(exc: ApiException) -> str:
    try:
        return json.loads(exc.body or "{}").get("reason") or str(exc.reason or exc.status)
    except ValueError:
        return str(exc.reason or exc.status)


def _message(exc: ApiException) -> str:
    try:
        return json.loads(exc.body or "{}").get("message") or str(exc.reason)
    except ValueError:
        return str(exc.body or exc.reason)


# (raw key, operation, all-namespaces method, namespaced method)
NAMESPACED = (
    ("pods", "list pods", "core", "list_pod_for_all_namespaces", "list_namespaced_pod"),
    ("policies", "list networkpolicies", "net", "list_network_policy_for_all_namespaces",
     "list_namespaced_network_policy"),
    ("services", "list services", "core", "list_service_for_all_namespaces", "list_namespaced_service"),
)


def read_cluster(api_client: ApiClient, cluster: str, namespaces: Iterable[str] = (), max_workers: int = 8,
                 advance: Callable[[str], None] = lambda _: None) -> Cluster:
    reader = Reader(api_client, cluster)
    out = Cluster(name=cluster, live=True)
    wanted = list(dict.fromkeys(namespaces))
    try:
        ns_docs = reader.listing("list namespaces", reader.core.list_namespace)
        out.namespaces = [d for d in ns_docs if not wanted or meta(d).get("name") in wanted]
    except Gap as gap:
        out.errors.append(gap.error)
        out.namespaces = [{"metadata": {"name": n}} for n in wanted]
    names = [meta(d).get("name", "") for d in out.namespaces]
    raw: dict[str, list[dict]] = {"pods": [], "policies": [], "services": []}
    with bounded_pool(max_workers, "kubernetes") as pool:
        jobs: dict[Future, tuple[str, str]] = {}
        for key, operation, api, all_ns, per_ns in NAMESPACED:
            if not wanted:
                jobs[pool.submit(reader.listing, operation, getattr(getattr(reader, api), all_ns))] = (key, "")
            else:
                for ns in names:
                    jobs[pool.submit(reader.listing, operation, getattr(getattr(reader, api), per_ns), ns)] = (key, ns)
        daemonsets = pool.submit(reader.listing, "list daemonsets", reader.apps.list_daemon_set_for_all_namespaces)
        fallbacks: dict[Future, tuple[str, str]] = {}
        for future, (key, ns) in jobs.items():
            try:
                raw[key] += future.result()
                advance(f"{key} {ns}".strip())
            except Gap as gap:
                if ns or gap.status != 403 or not names:  # no namespace known to fall back on
                    out.errors.append(gap.error)
                    continue
                # The cluster-wide list is refused: read each namespace on its own.
                _, operation, api, _, per_ns = next(spec for spec in NAMESPACED if spec[0] == key)
                for name in names:
                    fallbacks[pool.submit(reader.listing, operation, getattr(getattr(reader, api), per_ns),
                                          name)] = (key, name)
        for future, (key, ns) in fallbacks.items():
            try:
                raw[key] += future.result()
            except Gap as gap:
                out.errors.append(gap.error)
        try:
            out.daemonsets = daemonsets.result()
        except Gap as gap:
            out.errors.append(gap.error)
    out.pods = [_pod(doc) for doc in raw["pods"] if dig(doc, "status", "phase") not in SKIPPED_PHASES]
    out.policies, out.services = raw["policies"], raw["services"]
    out.errors.sort(key=lambda e: (e.operation, e.region, e.code))
    return out


def _pod(doc: dict[str, Any]) -> PodSource:
    md = meta(doc)
    return PodSource("Pod", md.get("namespace") or "default", md.get("name", ""), labels_of(doc),
                     doc.get("spec") or {}, doc.get("status") or {}, owner=_owner(md))


def _owner(md: dict[str, Any]) -> str:
    """The controller a pod belongs to; a ReplicaSet stands for its Deployment."""
    ref = next((r for r in md.get("ownerReferences") or () if r.get("controller")), None)
    if ref is None:
        return ""
    name = ref.get("name", "")
    template_hash = (md.get("labels") or {}).get("pod-template-hash")
    if ref.get("kind") == "ReplicaSet" and template_hash and name.endswith(f"-{template_hash}"):
        return name[: -len(template_hash) - 1]
    return name
