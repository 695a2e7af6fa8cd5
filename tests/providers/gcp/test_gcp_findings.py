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

EXPECTED = {
    # GCP's default network: flat (default-allow-internal), SSH and RDP from the internet
    "default_network": {("SEG101", "web-1/nic0"), ("SEG103", "web-1/nic0"), ("SEG303", "default"),
                        ("SEG304", "default"), ("SEG501", "default")},
    # the seeds' five zones with tag rules: the load balancers forward 443 only, the data tier
    # is reached from the internal tier alone; what is left is a bastion with a public address,
    # the internal tier reaching the web tier's 443, a shared subnet and partial flow logs
    "five_zones": {("SEG104", "bastion-1/nic0"), ("SEG203", "web-1/nic0"), ("SEG304", "internal"),
                   ("SEG501", "dmz"), ("SEG501", "internal"), ("SEG501", "management"), ("SEG501", "proxy-only")},
    # a deny at higher priority shadows the allow of SSH from anywhere: no SEG101, no SEG403
    "shadowed": {("SEG104", "app-1/nic0"), ("SEG202", "app"), ("SEG501", "app")},
    # data subnets NATed by Cloud NAT
    "nat_data": {("SEG201", "data"), ("SEG201", "eu-data"), ("SEG204", "core firewall rules"),
                 ("SEG301", "core firewall rules"), ("SEG302", "core firewall rules"),
                 ("SEG403", "core firewall rules"), ("SEG501", "core")},
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
    found = {(f["check_id"], f["resource"]["name"] or f["resource"]["id"].rsplit("/", 1)[-1]) for f in doc["findings"]}
    assert found == EXPECTED[name]
    assert doc["complete"] is True
