"""What a user acts on: one finding per cause with its flows inside, live or latent rules,
external zones judged by the zone policy."""
from __future__ import annotations

from dataclasses import replace

import estates
from casefiles import seg203
from builder import Estate, allow_in, allow_out, app_group, cidr, deny_in, group, local, route
from scanner import engine
from scanner.audit import audit
from scanner.context import AuditContext

CHECKS = {c.meta.id: c for c in engine.discover()}
ANY4 = estates.ANY4


def run(snapshot, *ids, zones=None):
    ctx = AuditContext(snapshot, zone_policy_text=zones) if zones else AuditContext(snapshot)
    result = engine.run([CHECKS[i] for i in ids or CHECKS], ctx)
    assert not result.errors
    return result.findings


def ssh_everywhere(n=10):
    """One security group on ten internal workloads admits SSH from the whole VPC; every
    other zone has a workload that may open SSH anywhere."""
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    rt = e.route_table("rtb-1", vpc, routes=[local("10.0.0.0/16")])
    app = e.policy("sg-app", vpc, name="app", rules=[allow_in("tcp", 22, cidr("10.0.0.0/16"), id="ssh-vpc"),
                                                       allow_in("tcp", 8080, group("sg-app"), id="app-self")])
    out = e.policy("sg-out", vpc, name="out", rules=[allow_out("all", None, ANY4, id="all-out")])
    for i, zone in enumerate(("dmz", "internal", "data")):
        e.subnet(f"sn-{zone}", vpc, f"10.0.{i}.0/24", route_tables=[rt], tags={"Zone": zone})
    subnets = {s.id: s for s in e.items["subnets"]}
    for i in range(n):
        e.workload(f"eni-app-{i}", subnets["sn-internal"], f"10.0.1.{10 + i}", policies=[app, out])
    e.workload("eni-web", subnets["sn-dmz"], "10.0.0.10", policies=[out])
    e.workload("eni-db", subnets["sn-data"], "10.0.2.10", policies=[out])
    return e.snapshot()


def test_one_rule_opening_ssh_from_every_zone_to_ten_workloads_is_one_finding():
    [finding] = run(ssh_everywhere(), "SEG401")
    assert (finding.resource.id, finding.cause) == ("sg-app", ("sg-app/ssh-vpc",))
    assert finding.affected_count == 10 and len(finding.affected) == 10
    assert {(fl.source, fl.destination, fl.ports, fl.workloads) for fl in finding.flows} == {
        ("dmz", "internal", ("tcp/22",), 10), ("data", "internal", ("tcp/22",), 10),
        ("internal", "internal", ("tcp/22",), 10)}
    assert all(len(fl.sample) == 5 for fl in finding.flows)
    assert "ssh-vpc" in finding.message and "10 workloads in the internal zone" in finding.message
    assert finding.state == "live"


def test_findings_of_one_cause_across_checks_are_one_finding():
    findings = run(ssh_everywhere())
    about_ssh = [f for f in findings if "sg-app/ssh-vpc" in f.cause]
    assert len(about_ssh) == 1
    [f] = about_ssh
    # SEG203 (dmz/data -> internal on 22), SEG301 (a private range) and SEG403 (SSH not from a
    # bastion) are the same change as SEG401's
    assert {f.check_id, *(a.check_id for a in f.also)} == {"SEG203", "SEG301", "SEG401", "SEG403"}
    assert f.severity == "high"
    causes = [x.cause for x in findings if x.cause]
    assert len(causes) == len(set(causes))


def test_fingerprint_is_stable_by_check_and_cause_not_by_what_it_reaches():
    [few] = run(ssh_everywhere(3), "SEG401")
    [many] = run(ssh_everywhere(10), "SEG401")
    assert few.fingerprint == many.fingerprint
    assert few.affected_count == 3 and many.affected_count == 10


def test_several_rules_that_must_all_change_are_one_finding_that_says_so():
    e = estates.aws(web=[allow_in("tcp", 22, ANY4, id="ssh-world"), allow_in("tcp", 3389, ANY4, id="rdp-world")])
    [finding] = run(e.snapshot(), "SEG101")
    assert finding.cause == ("sg-web/rdp-world", "sg-web/ssh-world")
    assert "2 rules that must all change" in finding.message


def test_database_open_to_the_world_without_public_address_is_latent_and_reported():
    """The issue's case on each cloud: tcp/5432 (1433 on Azure) from the whole internet on a
    database nothing can reach from the internet today."""
    cases = {
        "aws": estates.aws(db=[allow_in("tcp", 5432, ANY4)]),
        "gcp": estates.gcp([allow_in("tcp", 5432, ANY4, targets=[estates.tag("db")], priority=900)]),
        "azure": estates.azure([allow_in("tcp", 1433, estates.INTERNET, targets=[app_group("asg-db")],
                                         priority=90)]),
    }
    for cloud, e in cases.items():
        report = audit(e.snapshot())
        [finding] = [f for f in report.findings if f.severity != "info"]
        assert (finding.check_id, finding.state, finding.severity) == ("SEG105", "latent", "high"), cloud
        assert "no public address" in finding.state_reason and "latent: one public IP or route away" in finding.message
        assert not [f for f in report.findings if f.check_id in ("SEG101", "SEG102")], cloud


def azure_subnet_allows_nic_denies():
    """The subnet NSG admits SSH from the app ASG; the bastion-like target's NIC NSG denies it."""
    e = Estate("azure", "sub-1", "westeurope")
    vnet = e.network("vnet-1", "10.30.0.0/16")
    rt = e.route_table("rt-1", vnet, routes=[local("10.30.0.0/16", origin="system")])
    subnet_nsg = e.policy("nsg-subnet", vnet, rules=[
        allow_in("tcp", 22, app_group("asg-app"), targets=[app_group("asg-db")], priority=100, name="ssh-from-app"),
        deny_in("all", None, cidr("*"), priority=4096, name="deny-rest")])
    nic_nsg = e.policy("nsg-nic", vnet, rules=[
        deny_in("tcp", 22, cidr("*"), priority=100, name="no-ssh"),
        allow_in("tcp", 5432, app_group("asg-app"), priority=200, name="pg-from-app")])
    app = e.subnet("sn-app", vnet, "10.30.1.0/24", route_tables=[rt], policies=[subnet_nsg], tags={"zone": "internal"})
    data = e.subnet("sn-data", vnet, "10.30.2.0/24", route_tables=[rt], policies=[subnet_nsg], tags={"zone": "data"})
    e.workload("nic-app", app, "10.30.1.4", app_groups=["asg-app"])
    e.workload("nic-db", data, "10.30.2.4", app_groups=["asg-db"], policies=[nic_nsg])
    return e.snapshot()


def test_subnet_rule_the_nic_denies_is_latent_low_and_says_what_blocks_it():
    [finding] = run(azure_subnet_allows_nic_denies(), "SEG403")
    assert (finding.resource.id, finding.state, finding.severity) == ("nsg-subnet", "latent", "low")
    assert "from nic-app to nic-db the flow stops at interface nic-db, nsg nsg-nic rule no-ssh denies it" \
        in finding.state_reason
    assert finding.message.endswith(finding.state_reason + ".")


def test_live_rule_keeps_its_severity():
    [finding] = run(estates.aws(app=[allow_in("tcp", 22, cidr("10.0.16.0/20"))]).snapshot(), "SEG403")
    assert (finding.state, finding.severity) == ("latent", "low")  # nothing in that range opens SSH
    e = estates.aws(app=[allow_in("tcp", 22, cidr("10.0.0.0/20"))],
                    web=[allow_out("tcp", 22, cidr("10.0.16.0/20"))])
    [finding] = run(e.snapshot(), "SEG403")
    assert (finding.state, finding.severity) == ("live", "high")
    assert "real flows use it today" in finding.state_reason


# -- external zones --------------------------------------------------------------
# The five zones of the estates by their Zone tags (as the SEG203 case file has them), the
# permitted flows of the reference design, and the workstations of the VPN range.
WORKSTATIONS = seg203.PERMIT_DMZ_TO_DATA.replace(
    "  - {from: dmz, to: data, ports: [tcp/5432], note: \"reporting replica, approved\"}\n", ""
).replace("flows:\n", "  - {name: workstations, match: [{cidr: 203.0.113.0/24}]}\nflows:\n"
          "  - {from: workstations, to: management, ports: [tcp/22]}\n")


def with_route(e, table_id, extra, drop_kind=None):
    """The estate with one more route in one table (and routes of `drop_kind` gone)."""
    e.items["route_tables"] = [t if t.id != table_id else replace(
        t, routes=(*(r for r in t.routes if r.target_kind != drop_kind), extra)) for t in e.items["route_tables"]]
    return e


def with_public_ip(e, workload_id, ip):
    e.items["workloads"] = [w if w.id != workload_id else replace(w, public_ips=(ip,)) for w in e.items["workloads"]]
    return e


def bastion_behind_vpn():
    """The bastion has a public address and a route to the internet gateway; its group admits
    SSH from the corporate VPN range 203.0.113.0/24."""
    e = estates.aws(bastion=[allow_in("tcp", 22, cidr("203.0.113.0/24"), id="ssh-vpn")])
    with_route(e, "rtb-management", route("0.0.0.0/0", "internet", "igw-1"))
    return with_public_ip(e, "eni-bastion", "198.18.0.48").snapshot()


def test_policy_external_zones_are_the_cidr_only_zones_that_place_nothing():
    ctx = AuditContext(bastion_behind_vpn(), zone_policy_text=WORKSTATIONS)
    assert ctx.policy.external_zones() == {"workstations": ("203.0.113.0/24",)}
    assert ctx.zones.external_zones() == {"workstations": ("203.0.113.0/24",)}
    inside = WORKSTATIONS.replace("{name: data, match: [{tags: {Zone: data}}]}", "{name: data, match: [{cidr: 10.0.32.0/20}]}")
    ctx = AuditContext(bastion_behind_vpn(), zone_policy_text=inside)
    assert set(ctx.policy.external_zones()) == {"data", "workstations"}
    assert set(ctx.zones.external_zones()) == {"workstations"}  # data places the data subnet


def test_vpn_range_reaches_the_bastion_as_workstations_not_as_the_internet():
    ctx = AuditContext(bastion_behind_vpn(), zone_policy_text=WORKSTATIONS)
    inbound = ctx.reach.inbound("eni-bastion")
    assert "internet" not in inbound
    access = inbound["workstations"]
    assert access.ports.describe() == ["tcp/22"]
    assert {(c.policy_id, c.rule_id) for c in access.causes if c.policy_id == "sg-bastion"} == {("sg-bastion", "ssh-vpn")}
    assert any("-> internet igw-1" in e for e in access.evidence)
    assert ctx.reach.live_rules()[("sg-bastion", "ssh-vpn")].describe() == ["tcp/22"]
    flows = {(f.zone, f.sources) for f in ctx.reach.flows_into("eni-bastion")}
    assert ("workstations", ("workstations",)) in flows


def test_no_public_address_no_path_from_a_public_external_range():
    e = estates.aws(bastion=[allow_in("tcp", 22, cidr("203.0.113.0/24"), id="ssh-vpn")])
    ctx = AuditContext(e.snapshot(), zone_policy_text=WORKSTATIONS)
    assert "workstations" not in ctx.reach.inbound("eni-bastion")


def test_private_external_range_arrives_over_a_vpn_route():
    e = estates.aws(bastion=[allow_in("tcp", 22, cidr("192.168.50.0/24"), id="ssh-onprem")])
    with_route(e, "rtb-management", route("192.168.0.0/16", "vpn", "vgw-1"))
    zones = WORKSTATIONS.replace("203.0.113.0/24", "192.168.50.0/24")
    ctx = AuditContext(e.snapshot(), zone_policy_text=zones)
    assert ctx.reach.inbound("eni-bastion")["workstations"].ports.describe() == ["tcp/22"]
    without_route = AuditContext(estates.aws(bastion=[allow_in("tcp", 22, cidr("192.168.50.0/24"))]).snapshot(),
                                 zone_policy_text=zones)
    assert "workstations" not in without_route.reach.inbound("eni-bastion")


def test_seg403_accepts_the_permitted_external_range_on_the_bastion_and_never_the_world():
    assert run(bastion_behind_vpn(), "SEG403", zones=WORKSTATIONS) == ()
    # without the zone: a narrow range nobody declared, reported (latent: no workload is in it)
    [finding] = run(bastion_behind_vpn(), "SEG403")
    assert finding.resource.id == "sg-bastion" and "203.0.113.0/24" in finding.message
    # the policy does not permit RDP from workstations
    rdp = estates.aws(bastion=[allow_in("tcp", 3389, cidr("203.0.113.0/24"))])
    assert [f.resource.id for f in run(rdp.snapshot(), "SEG403", zones=WORKSTATIONS)] == ["sg-bastion"]
    # the world, never, even with a zone that declares it
    world = WORKSTATIONS.replace("203.0.113.0/24", "0.0.0.0/0")
    e = estates.aws(bastion=[allow_in("tcp", 22, ANY4)])
    assert [f.resource.id for f in run(e.snapshot(), "SEG403", zones=world)] == ["sg-bastion"]


def test_external_zone_reaching_an_application_zone_is_a_forbidden_flow():
    e = estates.aws(app=[allow_in("tcp", 22, cidr("203.0.113.0/24"), id="ssh-vpn")], app_public=True)
    snap = with_route(e, "rtb-internal", route("0.0.0.0/0", "internet", "igw-1"), drop_kind="nat").snapshot()
    # the VPN range also reaches the web tier's 443 through its rule for the world: public
    # external ranges are on the internet, and may open what the internet may
    [finding] = run(snap, "SEG203", zones=WORKSTATIONS)
    assert [(fl.source, fl.destination) for fl in finding.flows] == [("workstations", "internal")]
    [finding] = run(snap, "SEG401", zones=WORKSTATIONS)
    assert finding.cause == ("sg-app/ssh-vpn",)


def test_sarif_has_the_cause_as_its_location_and_the_workloads_as_related_locations():
    import json

    import jsonschema

    import output
    from output import RenderOptions, sarif_rules
    from output.json import document
    from test_json_output import SCHEMA

    report = audit(ssh_everywhere(), include=("SEG401",))
    doc = json.loads(output.render("sarif", report, RenderOptions()))
    assert sarif_rules.problems(doc) == []
    [res] = doc["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/security-group/sg-app")
    related = res["relatedLocations"]
    assert [r["id"] for r in related] == list(range(10))
    assert {r["logicalLocations"][0]["fullyQualifiedName"] for r in related} == {f"eni-app-{i}" for i in range(10)}
    props = res["properties"]
    assert (props["cause"], props["state"], props["affectedCount"]) == (["sg-app/ssh-vpc"], "live", 10)
    assert {(f["source"], f["workloads"]) for f in props["flows"]} == {("dmz", 10), ("data", 10), ("internal", 10)}
    jdoc = document(report)
    jsonschema.Draft202012Validator(SCHEMA).validate(jdoc)
    [finding] = jdoc["findings"]
    assert finding["affected_count"] == 10 and len(finding["affected"]) == 10 and finding["state"] == "live"


def test_external_zone_into_management_beyond_the_policy_is_seg402():
    e = estates.aws(bastion=[allow_in("tcp", 22, cidr("203.0.113.0/24"), id="ssh-vpn"),
                             allow_in("tcp", 8443, cidr("203.0.113.0/24"), id="console-vpn")])
    with_route(e, "rtb-management", route("0.0.0.0/0", "internet", "igw-1"))
    snap = with_public_ip(e, "eni-bastion", "198.18.0.48").snapshot()
    [finding] = run(snap, "SEG402", zones=WORKSTATIONS)
    assert finding.cause == ("sg-bastion/console-vpn",)
    assert [(fl.source, fl.ports) for fl in finding.flows] == [("workstations", ("tcp/8443",))]
