"""Zone policy selectors for namespaces and labels, and inference from names and labels."""
from __future__ import annotations

import pytest

from builder import Estate
from kubeset import cluster, deployment, namespace
from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.model import merge
from scanner.zonepolicy import loads

POLICY = """
version: 1
zones:
  - {name: dmz, match: [{namespace: "ingress-*"}]}
  - {name: data, match: [{labels: {zone: data}}, {namespace: payments, labels: {tier: db}}]}
  - {name: internal, match: [{namespace: "pay*"}]}
"""


def estate():
    k8s = cluster(namespace("ingress-nginx"), namespace("payments"), namespace("billing", zone="data"),
                  deployment("ingress-nginx", "controller", {"app": "nginx"}),
                  deployment("payments", "api", {"app": "api"}),
                  deployment("payments", "pg", {"app": "pg", "tier": "db"}),
                  deployment("billing", "worker", {"app": "worker"}))
    cloud = Estate("aws")
    vpc = cloud.network("vpc-1", "10.0.0.0/16")
    sub = cloud.subnet("payments", vpc, "10.0.1.0/24")  # a cloud subnet that happens to share the name
    cloud.workload("eni-1", sub, "10.0.1.10")
    return merge([k8s, cloud.snapshot()])


def test_namespace_and_label_selectors_place_pods():
    ctx = AuditContext(estate(), zone_policy_text=POLICY)
    zone = ctx.zones.workload_zone
    assert zone("c/ingress-nginx/controller") == "dmz"
    assert zone("c/payments/api") == "internal"
    assert zone("c/payments/pg") == "data"  # namespace and labels together
    assert zone("c/billing/worker") == "data"  # nothing selects the pod: its namespace's zone, by label
    assert ctx.zones.subnet_zone("c/billing") == "data"


def test_namespace_selector_never_matches_cloud_subnets():
    ctx = AuditContext(estate(), zone_policy_text=POLICY)
    assert ctx.zones.subnet_zone("payments") is None and ctx.zones.workload_zone("eni-1") is None


def test_inference_from_namespace_names_and_zone_labels():
    snap = cluster(namespace("frontend"), namespace("backend"), namespace("vault", zone="data"),
                   deployment("frontend", "web", {"app": "web"}), deployment("backend", "cache", {"zone": "data"}),
                   deployment("backend", "api", {"app": "api"}), deployment("vault", "vault", {"app": "vault"}))
    ctx = AuditContext(snap)
    zone = ctx.zones.workload_zone
    assert zone("c/frontend/web") == "dmz"  # namespace name
    assert zone("c/backend/cache") == "data"  # pod label zone=data
    assert zone("c/backend/api") == "internal"  # namespace name "backend"
    assert zone("c/vault/vault") == "data"  # namespace label
    assert "tag zone=data" in ctx.zones.reason("c/backend/cache")


@pytest.mark.parametrize("selector", ["{namespace: 7}", "{labels: {zone: [data]}}", "{provider: k8s}"])
def test_bad_selectors_are_refused(selector):
    with pytest.raises(InputError):
        loads(f"version: 1\nzones:\n  - {{name: data, match: [{selector}]}}\n", "zones.yaml")


def test_provider_selector_knows_kubernetes():
    ctx = AuditContext(estate(), zone_policy_text="version: 1\nzones:\n  - {name: internal, match: [{provider: kubernetes}]}\n")
    assert ctx.zones.workload_zone("c/payments/api") == "internal" and ctx.zones.workload_zone("eni-1") is None
