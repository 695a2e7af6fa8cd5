"""`segaudit query` on each cloud: every verdict and every kind of place a flow stops."""
from __future__ import annotations

import pytest

import estates
from builder import allow_out, cidr, deny_in
from reach import test_aws as aws_reach, test_azure_firewall as hub
from questions.common import ask, run, save


def stop(doc, i=0):
    return doc["pairs"][i]["blocked_at"]


# -- verdicts ------------------------------------------------------------------------------
def test_allowed_with_the_rule_that_admits_it(tmp_path):
    path = save(tmp_path, estates.aws())
    code, doc = ask(path, "internet", "eni-web", "tcp/443")
    assert code == 0 and doc["verdict"] == "allowed" and doc["ports"] == ["tcp/443"]
    hops = doc["pairs"][0]["hops"]
    assert [h["kind"] for h in hops] == ["public-address", "return-route", "ingress-policy", "ingress-policy"]
    assert "igw-1" in hops[1]["detail"]
    assert "alb-public" in hops[-1]["detail"] and "allows tcp/443" in hops[-1]["decision"]
    assert doc["pairs"][0]["blocked_at"] is None


def test_partial_names_the_ports_that_flow(tmp_path):
    code, doc = ask(save(tmp_path, estates.aws()), "internet", "eni-web", "tcp/443", "tcp/22")
    assert code == 0 and doc["verdict"] == "partial" and doc["ports"] == ["tcp/443"]
    assert doc["pairs"][0]["hops"][-1]["dropped"] == ["tcp/22"]


def test_blocked_exits_1_with_the_policy_that_admits_nothing(tmp_path):
    code, doc = ask(save(tmp_path, estates.aws()), "eni-web", "eni-db", "tcp/5432")
    assert code == 1 and doc["verdict"] == "blocked" and doc["ports"] == []
    assert stop(doc)["kind"] == "no-rule-admits" and stop(doc)["at"] == "sg-web"  # web may only open the app


def test_instance_name_and_address_resolve_to_interfaces(tmp_path):
    path = save(tmp_path, estates.aws())
    _, by_name = ask(path, "app-1", "orders-db", "tcp/5432")
    _, by_ip = ask(path, "10.0.16.10", "10.0.32.10", "tcp/5432")
    assert by_name["verdict"] == by_ip["verdict"] == "allowed"
    assert by_name["from"]["workloads"] == ["eni-app"] and by_ip["to"]["workloads"] == ["eni-db"]


def test_zone_to_zone_covers_every_pair(tmp_path):
    code, doc = ask(save(tmp_path, estates.aws()), "management", "internal")
    assert code == 0 and doc["ports"] == ["tcp/22"] and doc["pairs_total"] == 1


def test_to_the_internet_follows_the_exit_route(tmp_path):
    e = estates.aws(app=[allow_out("tcp", 443, cidr("0.0.0.0/0"))])
    code, doc = ask(save(tmp_path, e), "eni-app", "internet", "tcp/443")
    assert code == 0 and doc["verdict"] == "allowed"
    assert doc["pairs"][0]["hops"][-1]["decision"] == "leaves by nat"


# -- where a blocked flow stops --------------------------------------------------------------
AWS_STOPS = {
    "denied-by-rule": (lambda: aws_reach.SCENARIOS["nacl_deny_blocks_what_security_group_allows"][0](),
                       "eni-app", "eni-db", "acl-data"),
    "reply-denied": (lambda: aws_reach.SCENARIOS["stateless_nacl_without_ephemeral_return_blocks"][0](),
                     "eni-app", "eni-db", "acl-data"),
    "no-route": (lambda: aws_reach.peered(route_back=False), "eni-app", "eni-peer", "sn-2"),
    "blackhole-route": (lambda: aws_reach.peered(blackhole=True), "eni-app", "eni-peer", "rtb-priv"),
    # the dmz table sends 10.9.0.0/16 to the internet gateway: a private address in another VPC
    "route-elsewhere": (lambda: aws_reach.peered(), "eni-web", "eni-peer", "rtb-pub"),
    "no-public-address": (lambda: aws_reach.base(), "internet", "eni-db", "eni-db"),
}


@pytest.mark.parametrize("kind", sorted(AWS_STOPS))
def test_aws_blocked_at(tmp_path, kind):
    build, src, dst, at = AWS_STOPS[kind]
    code, doc = ask(save(tmp_path, build()), src, dst, "tcp/5432" if dst == "eni-db" else "tcp/22")
    assert code == 1 and doc["verdict"] == "blocked"
    assert stop(doc)["kind"] == kind and stop(doc)["at"] == at, stop(doc)


def test_the_deny_rule_is_named(tmp_path):
    _, doc = ask(save(tmp_path, AWS_STOPS["denied-by-rule"][0]()), "eni-app", "eni-db", "tcp/5432")
    rule = stop(doc)["rule"]
    assert rule.startswith("network-acl acl-data rule ") and "deny" in doc["pairs"][0]["hops"][-1]["decision"]


def test_route_elsewhere_says_where_it_leads(tmp_path):
    _, doc = ask(save(tmp_path, aws_reach.peered()), "eni-web", "eni-peer", "tcp/22")
    assert "internet igw-1" in stop(doc)["detail"] and "vpc-2" in stop(doc)["detail"]


def test_reply_through_nat_is_not_the_way_back_from_the_internet(tmp_path):
    e = aws_reach.base(app_public="198.18.0.20")
    _, doc = ask(save(tmp_path, e), "internet", "eni-app")
    assert stop(doc)["kind"] == "route-elsewhere" and "nat" in stop(doc)["detail"]


def test_transit_gateway_both_ways_and_one_way(tmp_path):
    code, doc = ask(save(tmp_path, aws_reach.transit()), "eni-app", "eni-peer", "tcp/22")
    assert code == 0 and any("transit tgw-1" in h["detail"] for h in doc["pairs"][0]["hops"])
    code, doc = ask(save(tmp_path, aws_reach.transit(both=False), "one.json"), "eni-app", "eni-peer", "tcp/22")
    assert code == 1 and stop(doc)["kind"] == "no-route" and stop(doc)["at"] == "sn-2"


def test_gcp_egress_deny_rule_stops_the_web_tier(tmp_path):
    path = save(tmp_path, estates.gcp())
    code, doc = ask(path, "vm-web", "vm-db", "tcp/5432")
    assert code == 1 and stop(doc)["kind"] == "denied-by-rule" and "deny-egress" in stop(doc)["rule"]
    code, doc = ask(path, "vm-app", "vm-db", "tcp/5432")
    assert code == 0 and "allow-app-db" in doc["pairs"][0]["hops"][-1]["decision"]


def test_gcp_implied_deny_is_the_deciding_rule(tmp_path):
    code, doc = ask(save(tmp_path, estates.gcp()), "internet", "vm-bastion")
    assert code == 1 and stop(doc)["kind"] == "no-public-address"
    code, doc = ask(save(tmp_path, estates.gcp(app_public=True), "p.json"), "internet", "vm-app", "tcp/8080")
    assert code == 1 and stop(doc)["kind"] == "denied-by-rule" and "implied-deny-ingress" in stop(doc)["rule"]


def test_azure_nsg_deny_rule_named(tmp_path):
    code, doc = ask(save(tmp_path, estates.azure()), "nic-web", "nic-db", "tcp/5432")
    assert code == 1 and stop(doc)["kind"] == "denied-by-rule" and "deny-vnet-in" in stop(doc)["rule"]
    code, doc = ask(save(tmp_path, estates.azure(), "b.json"), "nic-app", "nic-db", "tcp/5432")
    assert code == 0 and doc["verdict"] == "allowed"


def test_azure_hub_firewall_allows_and_denies_at_the_appliance(tmp_path):
    path = save(tmp_path, hub.hub_and_spokes([hub.A_TO_B_443()]))
    code, doc = ask(path, "nic-a", "nic-b", "tcp/443")
    kinds = [h["kind"] for h in doc["pairs"][0]["hops"]]
    assert code == 0 and "appliance" in kinds and "a-to-b-https allows tcp/443" in doc["pairs"][0]["hops"][kinds.index("appliance")]["decision"]
    code, doc = ask(path, "nic-a", "nic-b", "tcp/22")
    assert code == 1 and stop(doc)["kind"] == "denied-by-rule" and stop(doc)["at"] == "fw-hub/networkRules"
    assert "DefaultDeny" in stop(doc)["rule"]


def test_azure_unknown_next_hop_leads_elsewhere(tmp_path):
    path = save(tmp_path, hub.hub_and_spokes([hub.A_TO_B_443()], target="10.1.9.99"))
    code, doc = ask(path, "nic-a", "nic-b", "tcp/443")
    assert code == 1 and stop(doc)["kind"] == "route-elsewhere"


def test_appliance_shadowing_deny_rule(tmp_path):
    rules = [deny_in("tcp", 443, cidr(hub.SPOKE_A), priority=100, name="deny-https"), hub.A_TO_B_443(priority=200)]
    _, doc = ask(save(tmp_path, hub.hub_and_spokes(rules)), "nic-a", "nic-b", "tcp/443")
    assert "deny-https" in stop(doc)["rule"]


# -- the command line ----------------------------------------------------------------------------
def test_text_output_and_exit_codes(tmp_path):
    path = save(tmp_path, estates.aws())
    res = run("query", path, "--from", "internet", "--to", "eni-web", "--port", "tcp/443")
    assert res.exit_code == 0 and res.stdout.startswith("internet -> eni-web (tcp/443): ALLOWED on tcp/443")
    assert run("query", path, "--from", "internet", "--to", "eni-db").exit_code == 1


@pytest.mark.parametrize("args,message", [
    (("--from", "nope", "--to", "eni-web"), "--from: 'nope' is not a workload"),
    (("--from", "internet", "--to", "eni-web", "--port", "tcp/99999"), "--port: 'tcp/99999' has a port outside"),
    (("--from", "internet", "--to", "internet"), "both the internet"),
    (("--from", "10.200.0.1", "--to", "eni-web"), "no workload in the snapshot has address 10.200.0.1"),
])
def test_input_errors_are_one_line_and_exit_2(tmp_path, args, message):
    res = run("query", save(tmp_path, estates.aws()), *args)
    assert res.exit_code == 2 and message in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_help_says_what_the_exit_codes_mean():
    for command in ("query", "test", "flows", "paths", "diff"):
        assert "Exit codes: 0" in run(command, "--help").stdout


def test_subnet_resolves_to_its_workloads_and_internet_address_outside_is_the_internet(tmp_path):
    path = save(tmp_path, estates.aws())
    code, doc = ask(path, "sn-management", "sn-internal", "tcp/22")
    assert code == 0 and doc["from"]["resolved"] == "subnet" and doc["from"]["workloads"] == ["eni-bastion"]
    code, doc = ask(path, "8.8.8.8", "eni-web", "tcp/443")
    assert code == 0 and doc["from"]["resolved"].startswith("public address outside the snapshot")
