"""`segaudit scan azure` against the fake ARM: each scenario's findings, through the same checks
as AWS and GCP."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arm_fake import FakeArm, FakeCredential, load
from providers.azure import cli as azure_cli
from scanner.cli import main

# (check, resource, live/latent) of every finding: one per cause
EXPECTED = {
    # AllowVnetInBound left in force makes the VNet flat: one finding for that platform rule
    # (SEG203, with SEG303 and SEG401 about the same rule folded in); the data subnet keeps the default route
"flat": {('SEG201', 'db', ''), ('SEG203', 'nsg-flat', 'live'), ('SEG204', 'nsg-flat', ''), ('SEG501', 'vnet-flat', '')},
    # per-subnet NSGs and ASGs, with the mistakes the recording carries; the bastion's rule for
    # the admins' VPN ranges is latent without a zone policy that names them (see below)
    # AllowVnetInBound on the bastion puts it two hops from the internet (internet -> web-1 ->
    # bastion-1, SEG206)
    "five_zones": {('SEG104', 'bastion-1-nic', ''), ('SEG201', 'data', ''), ('SEG206', 'bastion-1-nic', ''), ('SEG202', 'app', ''), ('SEG203', 'nsg-dmz', 'live'), ('SEG301', 'nsg-data', 'live'), ('SEG402', 'nsg-mgmt', 'live'), ('SEG403', 'nsg-mgmt', 'latent'), ('SEG501', 'app', ''), ('SEG501', 'data', ''), ('SEG501', 'mgmt', ''), ('SEG501', 'vnet-shared', '')},
    # the subnet NSG admits SSH from the internet, the NIC NSG denies it: no SEG101, and the
    # subnet rule is latent (SEG403 at low); the NSGs' AllowVnetInBound admits nothing real either
    "subnet_allows_nic_denies": {('SEG104', 'vm-1-nic', ''), ('SEG202', 'app', ''), ('SEG303', 'nsg-nic', 'latent'), ('SEG303', 'nsg-subnet', 'latent'), ('SEG403', 'nsg-subnet', 'latent'), ('SEG501', 'vnet-layers', '')},
    # a data subnet keeps Azure's default route to the internet
    "outbound": {('SEG201', 'data', ''), ('SEG501', 'vnet-out', '')},
    # a UDR sends 0.0.0.0/0 to the firewall appliance: no internet route findings
    "udr_firewall": {('SEG501', 'vnet-hub', ''), ('SEG501', 'vnet-spoke', '')},
    # spokes meet only through the hub firewall, which admits internal -> data on 5432 only:
    # no zone-boundary finding, only the spokes' default internet routes and missing flow logs
    "hub_firewall": {('SEG201', 'db', ''), ('SEG202', 'app', ''), ('SEG501', 'vnet-app', ''), ('SEG501', 'vnet-db', ''), ('SEG501', 'vnet-hubfw', '')},
    # the same firewall with one rule admitting everything between the spokes: one finding on
    # that rule (SEG203), SSH between zones (SEG401) and SSH admitted (SEG403) folded into it
    "hub_firewall_open": {('SEG201', 'db', ''), ('SEG202', 'app', ''), ('SEG203', 'fw-hubfw network rules', 'live'), ('SEG501', 'vnet-app', ''), ('SEG501', 'vnet-db', ''), ('SEG501', 'vnet-hubfw', '')},
}


@pytest.fixture
def scan(monkeypatch):
    """`segaudit scan azure --format json` over one recorded scenario, as a user runs it."""
    credential = FakeCredential("t")
    monkeypatch.setattr(azure_cli, "credential_factory", lambda cloud, tenant: credential)
    monkeypatch.setattr(azure_cli, "retry_settings", {"retry_total": 3, "retry_backoff_factor": 0})
    monkeypatch.delenv("SEGAUDIT_AZURE_ARM_ENDPOINT", raising=False)

    def run(name: str, *extra: str) -> dict:
        subs = load(name)
        args = ["scan", "azure", "-q", "--format", "json", "--fail-on", "none", *extra]
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
    found = [(f["check_id"], f["resource"]["name"] or f["resource"]["id"].rsplit("/", 1)[-1], f["state"])
             for f in doc["findings"]]
    assert sorted(found) == sorted(EXPECTED[name])  # each once: one finding per cause
    assert doc["complete"] is True
    causes = [tuple(f["cause"]) for f in doc["findings"] if f["cause"]]
    assert len(causes) == len(set(causes))


def test_subnet_allow_with_nic_deny_is_not_internet_exposure(scan):
    """The scenario the issue names: what the subnet NSG allows, the NIC NSG denies."""
    findings = scan("subnet_allows_nic_denies")["findings"]
    assert not [f for f in findings if f["check_id"] in ("SEG101", "SEG102", "SEG103")]


def test_zone_flow_through_the_hub_firewall_cites_its_rule(scan):
    [finding] = [f for f in scan("hub_firewall_open")["findings"] if f["check_id"] == "SEG203"]
    assert finding["resource"]["type"] == "appliance-firewall"
    assert [(fl["source"], fl["destination"]) for fl in finding["flows"]] == [("data", "internal"), ("internal", "data")]
    assert {a["check_id"] for a in finding["also"]} == {"SEG401", "SEG403"}
    text = json.dumps(finding)
    assert "appliance-firewall fw-hubfw network rules" in text and "spokes/any" in text, text
    assert "-> appliance 10.60.0.4" in text, text


def test_subnet_rule_the_nic_denies_is_latent_and_low(scan):
    [finding] = [f for f in scan("subnet_allows_nic_denies")["findings"] if f["check_id"] == "SEG403"]
    assert (finding["severity"], finding["state"]) == ("low", "latent")
    assert "stops at interface vm-1-nic, nsg nsg-nic rule deny-ssh denies it" in finding["state_reason"]


WORKSTATIONS = str(Path(__file__).parents[3] / "examples" / "zones-workstations.yaml")


def test_admins_vpn_range_on_the_bastion_is_a_permitted_external_zone(scan):
    """With the admins' VPN ranges declared as the workstations zone, the bastion's rule is
    the permitted flow workstations -> management, not a SEG403 finding."""
    doc = scan("five_zones", "--zones", WORKSTATIONS)
    assert "SEG403" not in {f["check_id"] for f in doc["findings"]}
    [flow] = [f for f in doc["flows"] if f["source"] == "workstations"]
    assert flow["destination"] == "management" and "tcp/22" in flow["ports"]
    # what the policy does not permit from there still is a finding: the ESP rule's range
    # holds the admins' /32, and ESP into management is not in the policy
    [esp] = [f for f in doc["findings"] if f["check_id"] == "SEG402" and "allow-esp" in f["message"]]
    assert [(fl["source"], fl["destination"]) for fl in esp["flows"]] == [("workstations", "management")]
