"""Both seed articles' NetworkPolicy YAML (data/seed-*/networkpolicies.yaml), with the
workloads they are about, and an upstream-style x/y/z scenario set (data/e2e-xyz),
audited from manifests; connectivity worked out by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from providers.kubernetes import manifests, normalize
from scanner import audit as auditing
from scanner.cli import main
from scanner.context import AuditContext

DATA = Path(__file__).parent / "data"


def load(name: str):
    return normalize.normalize(manifests.read_dir(str(DATA / name)))


def reach(ctx: AuditContext, dst: str) -> dict[str, list[str]]:
    """source id -> the ports it opens on `dst`."""
    out: dict[str, list[str]] = {}
    for flow in ctx.reach.flows_into(dst):
        for src in flow.sources:
            out[src] = flow.ports.describe()
    return out


def reached_from(ctx: AuditContext, src: str) -> dict[str, list[str]]:
    return {w.id: ports for w in ctx.snapshot.workloads for s, ports in reach(ctx, w.id).items() if s == src}


# -- "Network Security Architecture": namespace production, default-deny-all ----------------------
def test_zones_article_nobody_reaches_payment_service_because_the_gateway_may_not_send():
    """payment-service-ingress admits api-gateway on TCP 8080, but default-deny-all also
    isolates api-gateway for egress and nothing allows it out: the article's policies
    alone leave payment-service unreachable."""
    ctx = AuditContext(load("seed-zones"))
    assert reach(ctx, "seed-zones/production/payment-service") == {}


def test_zones_article_with_the_gateways_egress_allowed_only_it_reaches_8080():
    raw = manifests.read_dir(str(DATA / "seed-zones"))
    raw.policies.append({"kind": "NetworkPolicy", "metadata": {"name": "gateway-out", "namespace": "production"},
                         "spec": {"podSelector": {"matchLabels": {"app": "api-gateway"}}, "policyTypes": ["Egress"],
                                  "egress": [{}]}})
    ctx = AuditContext(normalize.normalize(raw))
    assert reach(ctx, "seed-zones/production/payment-service") == {
        "seed-zones/production/api-gateway": ["tcp/8080"]}


def test_zones_article_what_payment_service_may_reach():
    ctx = AuditContext(load("seed-zones"))
    assert reached_from(ctx, "seed-zones/production/payment-service") == {
        "seed-zones/data/postgres": ["tcp/5432", "udp/53"],
        "seed-zones/data/reporting": ["udp/53"],  # the DNS rule's namespaceSelector {} opens 53 everywhere
        "seed-zones/kube-system/coredns": ["udp/53"],
    }


def test_zones_article_dns_only_for_payment_service():
    ctx = AuditContext(load("seed-zones"))
    assert set(reach(ctx, "seed-zones/kube-system/coredns")) == {
        "seed-zones/production/payment-service", "seed-zones/data/postgres", "seed-zones/data/reporting"}


# -- "Network Segmentation Patterns", Step 3: namespace payments -----------------------------------
def test_micro_article_who_reaches_payments_api_on_8080():
    ctx = AuditContext(load("seed-micro"))
    assert reach(ctx, "seed-micro/payments/payments-api") == {"seed-micro/api-gateway/envoy-gateway": ["tcp/8080"]}


def test_micro_article_what_payments_api_may_reach():
    """DNS to kube-dns only: its database refuses it, since default-deny-all isolates
    payments-db for ingress and no policy admits payments-api there."""
    ctx = AuditContext(load("seed-micro"))
    assert reached_from(ctx, "seed-micro/payments/payments-api") == {"seed-micro/kube-system/coredns": ["udp/53"]}
    assert reach(ctx, "seed-micro/payments/payments-db") == {}


def test_micro_article_dns():
    ctx = AuditContext(load("seed-micro"))
    assert set(reach(ctx, "seed-micro/kube-system/coredns")) == {
        "seed-micro/payments/payments-api", "seed-micro/api-gateway/envoy-gateway", "seed-micro/api-gateway/admin-ui"}


EXPECTED = {
    # z has no policy; y denies ingress only; x denies both; kube-system's deny blocks CoreDNS
    "e2e-xyz": {("SEG601", "e2e-xyz/z"), ("SEG602", "e2e-xyz/y"), ("SEG602", "e2e-xyz/z"),
                ("SEG604", "e2e-xyz/kube-system/coredns")},
    "seed-zones": {("SEG601", "seed-zones/data"), ("SEG602", "seed-zones/data"),
                   ("SEG603", "seed-zones/production/payment-service-egress")},
    "seed-micro": {("SEG601", "seed-micro/api-gateway"), ("SEG602", "seed-micro/api-gateway")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scan_from_dir_reports_exactly_the_expected_findings(name):
    res = CliRunner().invoke(main, ["scan", "kubernetes", "--from-dir", str(DATA / name), "--quiet",
                                    "--format", "json", "--fail-on", "none"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {(f["check_id"], f["resource"]["id"]) for f in doc["findings"]} == EXPECTED[name]


def test_dns_finding_names_the_rule_and_the_pods_beyond_dns():
    report = auditing.audit(load("seed-zones"), include=("SEG603",))
    (finding,) = report.findings
    assert "rule egress[1]" in finding.message and "udp/53" in finding.message
    assert any("seed-zones/data/reporting" in e for e in finding.evidence)


def test_e2e_set_connectivity():
    """y/a admits x only on 80, but x may not send (deny-all): nothing reaches y/a; z/a
    is reached by every pod outside x (CoreDNS too: kube-system denies ingress only);
    nobody reaches CoreDNS."""
    ctx = AuditContext(load("e2e-xyz"))
    assert reach(ctx, "e2e-xyz/y/a") == {}
    assert set(reach(ctx, "e2e-xyz/z/a")) == ({f"e2e-xyz/{n}/{p}" for n in "yz" for p in "abc"} - {"e2e-xyz/z/a"}
                                             | {"e2e-xyz/kube-system/coredns"})
    assert reach(ctx, "e2e-xyz/kube-system/coredns") == {}
    assert reached_from(ctx, "e2e-xyz/x/a") == {}
