"""`segaudit scan gcp` against the fake: each scenario's findings, through the same checks as AWS."""
from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner
from google.oauth2.credentials import Credentials

from gcp_fake import FakeCompute, scenario
from gcp_support import fast_retry, load
from providers.gcp import cli as gcp_cli, fetch
from scanner.cli import main

# (check, resource, live/latent) of every finding: one per cause
EXPECTED = {
    # GCP's default network: flat (default-allow-internal), SSH and RDP from the internet. Deleting
    # the default-allow-* rules is one change: SEG303's finding, live, with SEG101 (SSH and RDP
    # from the internet on web-1) and SEG103 (ICMP) folded in
    "default_network": {("SEG303", "default", "live"), ("SEG304", "default", ""), ("SEG501", "default", "")},
    # the seeds' five zones with tag rules: the load balancers forward 443 only, the data tier
    # is reached from the internal tier alone; what is left is a bastion with a public address,
    # the HTTPS rule that also lets the internal tier reach the web tier's 443, a shared subnet
    # and partial flow logs
    "five_zones": {("SEG104", "bastion-1/nic0", ""), ("SEG203", "prod firewall rules", "live"),
                   ("SEG304", "internal", ""), ("SEG501", "dmz", ""), ("SEG501", "internal", ""),
                   ("SEG501", "management", ""), ("SEG501", "proxy-only", "")},
    # a deny at higher priority shadows the allow of SSH from anywhere: no SEG101, no SEG403
    "shadowed": {("SEG104", "app-1/nic0", ""), ("SEG202", "app", ""), ("SEG501", "app", "")},
    # data subnets NATed by Cloud NAT; allow-internal (every port from 10.40.0.0/15) trusts an
    # address range, opens everything and SSH (SEG301, SEG302, SEG403: one rule, one finding)
    # but admits nothing real: the only workload in its range is the one it guards
    "nat_data": {("SEG201", "data", ""), ("SEG201", "eu-data", ""), ("SEG204", "core firewall rules", ""),
                 ("SEG301", "core firewall rules", "latent"), ("SEG501", "core", "")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_findings(monkeypatch, name):
    monkeypatch.setattr(gcp_cli, "credentials_for", lambda impersonate: (Credentials(token="t"), None))
    monkeypatch.setattr(fetch, "default_retry", fast_retry)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        load(FakeCompute(mock), name)
        res = CliRunner().invoke(main, ["scan", "gcp", "-q", "--project", scenario(name)["project"],
                                        "--format", "json", "--fail-on", "none"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    found = [(f["check_id"], f["resource"]["name"] or f["resource"]["id"].rsplit("/", 1)[-1], f["state"])
             for f in doc["findings"]]
    assert sorted(found) == sorted(EXPECTED[name])  # each once: one finding per cause
    causes = [tuple(f["cause"]) for f in doc["findings"] if f["cause"]]
    assert len(causes) == len(set(causes))
    assert doc["complete"] is True
