"""The pure normalize layer on recorded EC2 API JSON, for what moto lacks or gets wrong:
the NACL `*` entries (32767 / 32768), cross-account group references (moto never sets
the owner), NAT gateway interfaces typed nat_gateway (moto's are plain, with the default
group), ELB / Lambda / RDS / endpoint interfaces, blackhole, VGW, instance and prefix-list
routes, and peerings pending or across accounts and regions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.aws import normalize
from scanner import snapshot as snapshot_file
from scanner.model import Peer, PortRange

ACCOUNT, REGION = "111111111111", "eu-west-1"
RAW = json.loads((Path(__file__).parent / "data" / "region-eu-west-1.json").read_text())


@pytest.fixture(scope="module")
def snap():
    return normalize.region_snapshot(ACCOUNT, REGION, RAW, RAW["_entries"])


def by_id(items):
    return {i.id: i for i in items}


def test_networks_and_subnets(snap):
    nets = by_id(snap.networks)
    assert nets["vpc-0a1"].cidrs == ("10.0.0.0/16", "2a05:d018:1:100::/56")  # disassociated CIDR left out
    assert nets["vpc-0a1"].name == "prod" and nets["vpc-0d1"].is_default and not nets["vpc-0a1"].is_default
    subnets = by_id(snap.subnets)
    dmz, data = subnets["subnet-0aa"], subnets["subnet-0bb"]
    assert dmz.cidrs == ("10.0.1.0/24", "2a05:d018:1:101::/64") and dmz.assigns_public_ips
    assert dmz.route_table_ids == ("rtb-pub",) and dmz.policy_ids == ("acl-0def",)
    assert data.route_table_ids == ("rtb-main",)  # no association: the main table applies
    assert data.policy_ids == ("acl-0data",) and data.tags == {"Zone": "data"}


def test_route_targets(snap):
    tables = by_id(snap.route_tables)
    assert tables["rtb-main"].is_main and not tables["rtb-pub"].is_main

    def summary(table):
        return [(r.destination or r.destination_prefix_list, r.target_kind, r.target_id, r.origin, r.active)
                for r in tables[table].routes]

    assert summary("rtb-main") == [
        ("10.0.0.0/16", "local", "local", "system", True),
        ("0.0.0.0/0", "nat", "nat-0n1", "user", True),
        ("10.9.0.0/16", "peering", "pcx-gone", "user", False),
        ("192.168.0.0/16", "vpn", "vgw-0v1", "propagated", True),
        ("pl-63a5400a", "endpoint", "vpce-0s3", "user", True),
        ("10.50.0.0/16", "transit", "tgw-0t1", "user", True),
    ]
    assert summary("rtb-pub")[1:] == [
        ("2a05:d018:1:100::/56", "local", "local", "system", True),
        ("0.0.0.0/0", "internet", "igw-0i1", "user", True),
        ("::/0", "egress-only", "eigw-0e1", "user", True),
        ("10.7.0.0/16", "appliance", "eni-0fw", "user", True),
        ("10.8.0.0/16", "none", "", "user", False),
    ]
    pl_route = tables["rtb-main"].routes[4]
    assert pl_route.destination is None and pl_route.destination_prefix_list == "pl-63a5400a"


def test_gateways(snap):
    gws = by_id(snap.gateways)
    assert "nat-0old" not in gws  # deleted NAT gateways linger in the API for an hour
    assert (gws["igw-0i1"].kind, gws["igw-0i1"].requires_public_address, gws["igw-0i1"].network_id) == (
        "internet", True, "vpc-0a1")
    assert gws["eigw-0e1"].kind == "egress-only"
    assert (gws["nat-0n1"].subnet_id, gws["nat-0n1"].public, gws["nat-0n1"].private_ips) == (
        "subnet-0aa", True, ("10.0.1.20",))
    assert gws["nat-0p1"].public is False
    assert (gws["vpce-0s3"].kind, gws["vpce-0s3"].service) == ("endpoint", "com.amazonaws.eu-west-1.s3")
    assert gws["vpce-0sm"].subnet_id == "subnet-0bb" and not gws["vpce-0sm"].public
    assert (gws["tgw-attach-0a"].kind, gws["tgw-attach-0a"].service, gws["tgw-attach-0a"].network_id) == (
        "transit", "tgw-0t1", "vpc-0a1")
    assert "tgw-attach-0vpn" not in gws  # only VPC attachments are gateways of a network


def test_peerings_one_per_side_owned_here(snap):
    sides = {(p.name, p.network_id): p for p in snap.peerings}
    assert set(sides) == {("pcx-0same", "vpc-0a1"), ("pcx-0same", "vpc-0d1"), ("pcx-0xacct", "vpc-0a1"),
                          ("pcx-0xregion", "vpc-0a1")}
    assert len({p.id for p in snap.peerings}) == 4  # both sides survive a merge
    xacct = sides[("pcx-0xacct", "vpc-0a1")]
    assert (xacct.peer_account, xacct.peer_network_id, xacct.peer_region, xacct.state) == (
        "222222222222", "vpc-0other", "us-east-1", "pending")
    xregion = sides[("pcx-0xregion", "vpc-0a1")]
    assert (xregion.peer_network_id, xregion.peer_region, xregion.state, xregion.route_exchange) == (
        "vpc-0us", "us-east-1", "active", "explicit")


def test_prefix_lists_with_entries(snap):
    pls = by_id(snap.prefix_lists)
    assert pls["pl-0office"].cidrs == ("198.51.100.0/24",) and pls["pl-0office"].name == "office"
    assert pls["pl-63a5400a"].cidrs == ("52.218.0.0/17", "3.5.64.0/21")


def test_security_group_rules(snap):
    policies = by_id(snap.policies)
    db, default = policies["sg-0db"], policies["sg-0def"]
    assert (db.kind, db.stateful, db.evaluation, db.is_default) == ("security-group", True, "union", False)
    assert default.is_default and default.name == "default"
    rules = by_id(db.rules)
    assert rules["sgr-01"].peers == (Peer(kind="group", value="sg-0app", account="222222222222"),)
    assert rules["sgr-01"].ports == (PortRange(first=5432, last=5432),)
    assert rules["sgr-01"].description == "app in the shared-services account"
    assert rules["sgr-02"].peers == (Peer(kind="prefix-list", value="pl-0office"),)
    assert (rules["sgr-03"].protocol, rules["sgr-03"].ports) == ("icmp", ())
    assert (rules["sgr-04"].direction, rules["sgr-04"].protocol, rules["sgr-04"].peers) == (
        "egress", "all", (Peer(kind="cidr", value="::/0"),))
    own = by_id(default.rules)
    assert own["sgr-05"].peers == (Peer(kind="group", value="sg-0def"),)  # own account: no account on the peer
    assert own["sgr-06"].ports == (PortRange(first=1000, last=2000),) and own["sgr-06"].protocol == "udp"


def test_network_acls_carry_the_platform_denies_once(snap):
    policies = by_id(snap.policies)
    default, data = policies["acl-0def"], policies["acl-0data"]
    assert (default.kind, default.stateful, default.evaluation, default.is_default) == (
        "network-acl", False, "first-match", True)
    star = [(r.direction, r.priority, r.peers[0].value) for r in default.rules if r.platform_default]
    assert sorted(star) == [("egress", 32767, "0.0.0.0/0"), ("egress", 32768, "::/0"),
                            ("ingress", 32767, "0.0.0.0/0"), ("ingress", 32768, "::/0")]
    ingress = [(r.priority, r.action, r.protocol, r.ports) for r in data.rules if r.direction == "ingress"]
    assert ingress == [(90, "deny", "icmp", ()), (100, "allow", "tcp", (PortRange(first=5432, last=5432),)),
                       (32767, "deny", "all", ()), (32768, "deny", "all", ())]
    assert len({r.id for r in data.rules}) == len(data.rules)


def test_workload_owners(snap):
    wl = by_id(snap.workloads)
    web = wl["eni-0web"]
    assert (web.owner_kind, web.owner_id, web.owner_name, web.name) == ("instance", "i-0web", "web-1", "web-1")
    assert web.private_ips == ("10.0.1.10", "10.0.1.11", "2a05:d018:1:101::10")
    assert web.public_ips == ("203.0.113.10", "198.51.100.11")  # auto-assigned and an Elastic IP
    assert web.tags == {"Name": "web-1", "Zone": "dmz", "Role": "frontend"} and web.policy_ids == ("sg-0def",)
    owners = {i: (w.owner_kind, w.owner_id) for i, w in wl.items()}
    assert owners["eni-0nat"] == ("nat", "nat-0n1")
    assert owners["eni-0elb"] == ("load-balancer", "app/web-alb/50dc6c495c0c9188")
    assert owners["eni-0nlb"] == ("load-balancer", "net/api-nlb/7a1b2c3d4e5f6a7b")
    assert owners["eni-0fn"][0] == "function"
    assert owners["eni-0rds"][0] == "database"
    assert owners["eni-0vpce"] == ("endpoint", "vpce-0sm")
    assert owners["eni-0loose"] == ("other", "") and wl["eni-0loose"].name == "spare-eni"


def test_moto_style_nat_interface_is_known_by_the_nat_gateway():
    """moto gives the NAT gateway's interface type `interface` and no description: the
    gateway's own address list still names it."""
    raw = {"NatGateways": RAW["NatGateways"][:1],
           "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0nat", "InterfaceType": "interface", "SubnetId": "subnet-0aa",
                                  "VpcId": "vpc-0a1", "Groups": [{"GroupId": "sg-0def"}],
                                  "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.20"}]}]}
    (w,) = normalize.workloads(ACCOUNT, REGION, raw)
    assert (w.owner_kind, w.owner_id) == ("nat", "nat-0n1")


def test_flow_logs(snap):
    logs = by_id(snap.flow_logs)
    assert (logs["fl-0vpc"].target_kind, logs["fl-0vpc"].traffic) == ("network", "all")
    assert (logs["fl-0sub"].target_kind, logs["fl-0sub"].traffic) == ("subnet", "accept")
    assert (logs["fl-0eni"].target_kind, logs["fl-0eni"].traffic) == ("interface", "reject")
    assert "fl-0tgw" not in logs


def test_recorded_region_makes_a_valid_snapshot_file(snap):
    assert snapshot_file.loads(snapshot_file.dumps(snap)) == snap
    assert all(o.account == ACCOUNT and o.region == REGION for o in snap.networks + snap.workloads)


def test_group_rules_fall_back_to_ip_permissions_when_the_rules_call_was_denied():
    sg = {"GroupId": "sg-0db", "GroupName": "db", "VpcId": "vpc-0a1", "OwnerId": ACCOUNT,
          "IpPermissions": [
              {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.16.0/20"}],
               "UserIdGroupPairs": [{"GroupId": "sg-0app", "UserId": "222222222222"}]},
              {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-0office"}],
               "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]}],
          "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
    (policy,) = normalize.security_groups(ACCOUNT, REGION, {"SecurityGroups": [sg]})
    got = {(r.direction, r.protocol, r.ports, r.peers) for r in policy.rules}
    p5432, p22 = (PortRange(first=5432, last=5432),), (PortRange(first=22, last=22),)
    assert got == {
        ("ingress", "tcp", p5432, (Peer(kind="cidr", value="10.0.16.0/20"),)),
        ("ingress", "tcp", p5432, (Peer(kind="group", value="sg-0app", account="222222222222"),)),
        ("ingress", "tcp", p22, (Peer(kind="cidr", value="2001:db8::/32"),)),
        ("ingress", "tcp", p22, (Peer(kind="prefix-list", value="pl-0office"),)),
        ("egress", "all", (), (Peer(kind="cidr", value="0.0.0.0/0"),)),
    }
    assert len({r.id for r in policy.rules}) == 5
    # with the rules call answered (even empty), its records are the truth
    (answered,) = normalize.security_groups(ACCOUNT, REGION, {"SecurityGroups": [sg], "SecurityGroupRules": []})
    assert answered.rules == ()
