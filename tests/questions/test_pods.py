"""query, flows and paths on Kubernetes pods: named by pod or controller name, or
namespace/name where a name repeats."""
from __future__ import annotations

import json

from kubeset import cluster, deployment, namespace, netpol, pod
from questions.common import run, save

PODS = cluster(
    namespace("shop"), namespace("pay"),
    deployment("shop", "web", {"app": "web"}, ports=[{"containerPort": 8080, "name": "http"}]),
    deployment("pay", "api", {"app": "api"}, ports=[{"containerPort": 8443}]),
    deployment("pay", "web", {"app": "paywall"}),
    pod("pay", "db-0", {"app": "db"}),
    # pay admits only shop's web -> api on 8443 and api -> db on 5432; shop is not isolated
    netpol("pay", "default-deny", {}, policyTypes=["Ingress"]),
    netpol("pay", "api-from-shop", {"matchLabels": {"app": "api"}}, ingress=[{"from": [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
        "podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8443}]}]),
    netpol("pay", "db-from-api", {"matchLabels": {"app": "db"}},
           ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}], "ports": [{"port": 5432}]}]),
)


def test_query_names_pods_by_controller_pod_and_namespace_name(tmp_path):
    snap = save(tmp_path, PODS)
    res = run("query", snap, "--from", "api", "--to", "db-0", "--port", "tcp/5432", "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["verdict"] == "allowed"
    assert [p["source"] for p in doc["pairs"]] == ["c/pay/api"]
    # "web" repeats across namespaces: namespace/name picks one
    res = run("query", snap, "--from", "shop/web", "--to", "pay/db-0", "--port", "tcp/5432", "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and doc["verdict"] == "blocked"
    assert [p["source"] for p in doc["pairs"]] == ["c/shop/web"]
    assert doc["pairs"][0]["blocked_at"]["at"]


PATH_MARKERS = {"c/shop/web", "c/pay/api", "c/pay/db-0", "tcp/8443", "tcp/5432"}


def test_flows_and_paths_on_pods(tmp_path):
    snap = save(tmp_path, PODS)
    rows = json.loads(run("flows", snap, "--by", "workload", "--format", "json").stdout)["connections"]
    into_db = {r["source"] for r in rows if r["destination"] == "c/pay/db-0"}
    assert into_db == {"c/pay/api"}
    # lateral movement: shop's web opens api, api opens the database
    doc = json.loads(run("paths", snap, "--from", "shop/web", "--to", "pay/db-0", "--format", "json").stdout)
    assert doc["reachable"] == 1
    (path,) = doc["paths"]
    assert PATH_MARKERS <= set(json.dumps(path).replace('"', " ").split())
