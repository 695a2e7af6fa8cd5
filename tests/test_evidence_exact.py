"""Every reachability finding the test estates produce names, as evidence, only rules whose
ports meet the ports it reports, plus the route lines of the flows."""
from __future__ import annotations

import sys
from pathlib import Path

import estates
import test_check_cases
import test_findings_by_cause as by_cause
import threezone
from scanner import engine
from scanner.context import AuditContext
from scanner.ports import PortSet

CHECKS = {c.meta.id: c for c in engine.discover()}
PROVIDER_TESTS = Path(__file__).parent / "providers"


def _estates():
    for cid, name, case in test_check_cases.CASES:
        yield f"case {cid} {name}", case.build(), case.zones
    for cloud in ("aws", "gcp", "azure"):
        yield f"estates.{cloud}", getattr(estates, cloud)().snapshot(), None
        yield f"estates.{cloud}(app_public)", getattr(estates, cloud)(app_public=True).snapshot(), None
        yield f"threezone.{cloud}", getattr(threezone, cloud)().snapshot(), None
    yield "ssh_everywhere", by_cause.ssh_everywhere(), None
    yield "azure_subnet_allows_nic_denies", by_cause.azure_subnet_allows_nic_denies(), None
    yield "bastion_behind_vpn", by_cause.bastion_behind_vpn(), by_cause.WORKSTATIONS


def _recorded():
    """The recorded Azure and GCP scenarios, as normalize reads them."""
    sys.path.extend(str(PROVIDER_TESTS / c) for c in ("azure", "gcp"))
    from gcp_support import SCENARIOS, expected
    from test_azure_scenarios import collected

    for name in ("flat", "five_zones", "subnet_allows_nic_denies", "outbound", "udr_firewall", "hub_firewall",
                 "hub_firewall_open"):
        yield f"azure {name}", collected(name), None
    for name in SCENARIOS:
        yield f"gcp {name}", expected(name), None


def _is_route_line(line: str) -> bool:
    return (line.startswith("route ") or " has public address " in line or line.startswith("zone ")
            or line.endswith("more route lines"))


def problems(label: str, snapshot, zones) -> list[str]:
    out = []
    ctx = AuditContext(snapshot, zone_policy_text=zones) if zones else AuditContext(snapshot)
    for chk in CHECKS.values():  # one at a time: each check's own findings, before folding by cause
        for f in engine.run([chk], ctx).findings:
            if not f.flows:
                continue  # not a reachability finding
            reported = PortSet.union_of(PortSet.parse(p) for fl in f.flows for p in fl.ports)
            cited: dict[str, list[PortSet]] = {}
            for wl in f.affected:
                for flow in ctx.reach.flows_into(wl.id):
                    for c in flow.causes:
                        cited.setdefault(c.text, []).append(c.ports)
            for line in f.evidence:
                if line in cited:
                    if not any(p & reported for p in cited[line]):
                        out.append(f"{label}: {f.check_id} reports {reported.describe()} but cites {line}")
                elif not _is_route_line(line):
                    out.append(f"{label}: {f.check_id} evidence is neither a rule of the flow nor a route: {line}")
    return out


def test_every_reachability_finding_cites_only_rules_of_its_ports():
    found, walked = [], 0
    for label, snapshot, zones in _estates():
        found += problems(label, snapshot, zones)
        walked += 1
    assert walked > 100
    assert found == []


def test_recorded_scenarios_cite_only_rules_of_their_ports():
    found = [p for label, snapshot, zones in _recorded() for p in problems(label, snapshot, zones)]
    assert found == []


def test_demo_cites_only_rules_of_its_ports():
    from providers.aws.demo import demo_snapshot

    assert problems("demo", demo_snapshot(), None) == []
