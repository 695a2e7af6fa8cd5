"""`segaudit scan azure` against the fake ARM: each scenario's findings, through the same checks
as AWS and GCP."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from arm_fake import FakeArm, FakeCredential, load
from providers.azure import cli as azure_cli
from scanner.cli import main

EXPECTED = {
    # AllowVnetInBound left in force makes the VNet flat
    "flat": {"SEG201", "SEG203", "SEG204", "SEG303", "SEG401", "SEG501"},  # its data subnet keeps the default route
    # per-subnet NSGs and ASGs, with the mistakes the recording carries; AllowVnetInBound on
    # the bastion puts it two hops from the internet (internet -> web-1 -> bastion-1, SEG206)
    "five_zones": {"SEG104", "SEG201", "SEG202", "SEG203", "SEG206", "SEG301", "SEG303", "SEG401", "SEG402", "SEG403",
                   "SEG501"},
    # the subnet NSG admits SSH from the internet, the NIC NSG denies it: no SEG101
    "subnet_allows_nic_denies": {"SEG104", "SEG202", "SEG303", "SEG403", "SEG501"},
    # a data subnet keeps Azure's default route to the internet
    "outbound": {"SEG201", "SEG501"},
    # a UDR sends 0.0.0.0/0 to the firewall appliance: no internet route findings
    "udr_firewall": {"SEG501"},
    # spokes meet only through the hub firewall, which admits internal -> data on 5432 only:
    # no zone-boundary finding, only the spokes' default internet routes and missing flow logs
    "hub_firewall": {"SEG201", "SEG202", "SEG501"},
    # the same firewall with one rule admitting everything between the spokes: data reaches
    # internal (SEG203), SSH between zones (SEG401) and the firewall rule admits SSH (SEG403)
    "hub_firewall_open": {"SEG201", "SEG202", "SEG203", "SEG401", "SEG403", "SEG501"},
}


@pytest.fixture
def scan(monkeypatch):
    """`segaudit scan azure --format json` over one recorded scenario, as a user runs it."""
    credential = FakeCredential("t")
    monkeypatch.setattr(azure_cli, "credential_factory", lambda cloud, tenant: credential)
    monkeypatch.setattr(azure_cli, "retry_settings", {"retry_total": 3, "retry_backoff_factor": 0})
    monkeypatch.delenv("SEGAUDIT_AZURE_ARM_ENDPOINT", raising=False)

    def run(name: str) -> dict:
        subs = load(name)
        args = ["scan", "azure", "-q", "--format", "json", "--fail-on", "none"]
        for sub in sorted(subs):
            args += ["--subscription", sub]
        with FakeArm(subs):
            res = CliRunner().invoke(main, args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return json.loads(res.output)

    return run


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_findings(scan, name):
    doc = scan(name)
    assert {f["check_id"] for f in doc["findings"]} == EXPECTED[name]
    assert doc["complete"] is True


def test_subnet_allow_with_nic_deny_is_not_internet_exposure(scan):
    """The scenario the issue names: what the subnet NSG allows, the NIC NSG denies."""
    findings = scan("subnet_allows_nic_denies")["findings"]
    assert not [f for f in findings if f["check_id"] in ("SEG101", "SEG102", "SEG103")]


def test_zone_flow_through_the_hub_firewall_cites_its_rule(scan):
    found = {f["key"]: f for f in scan("hub_firewall_open")["findings"] if f["check_id"] == "SEG203"}
    assert sorted(found) == ["data->internal", "internal->data"]
    finding = found["data->internal"]
    text = json.dumps(finding)
    assert "appliance-firewall fw-hubfw network rules" in text and "spokes/any" in text, text
    assert "-> appliance 10.60.0.4" in text, text
