"""normalize on recorded Compute REST JSON: the model each scenario must produce."""
from __future__ import annotations

import pytest

from gcp_fake import scenario
from providers.gcp.normalize import normalize, path
from scanner import snapshot as snapshot_file


def snap(name):
    raw = scenario(name)
    return normalize(raw["project"], raw)


def rules(policy):
    """(rule id tail, direction, action, priority, protocol, ports, peers, targets, enabled, platform_default)"""
    def peers(ps):
        return tuple(f"{p.kind}:{p.value}" if p.value else p.kind for p in ps)
    return [
        (r.id.rsplit("/", 1)[-1], r.direction, r.action, r.priority, r.protocol,
         tuple((p.first, p.last) for p in r.ports), peers(r.peers), peers(r.targets), r.enabled, r.platform_default)
        for r in policy.rules
    ]


def by_id(items):
    return {i.id: i for i in items}


def test_default_network_is_flat_with_ssh_and_rdp_from_the_internet():
    s = snap("default_network")
    net = "projects/acme-default/global/networks/default"
    [network] = s.networks
    assert network.id == net and network.is_default and network.policy_ids == (f"{net}/firewall-rules",)
    [policy] = s.policies
    assert (policy.kind, policy.stateful, policy.evaluation, policy.chain_order) == ("vpc-firewall", True, "first-match", 100)
    internet, internal = ("cidr:0.0.0.0/0",), ("cidr:10.128.0.0/9",)
    assert rules(policy) == [
        ("default-allow-icmp", "ingress", "allow", 65534, "icmp", (), internet, (), True, True),
        ("default-allow-internal#0", "ingress", "allow", 65534, "tcp", ((0, 65535),), internal, (), True, True),
        ("default-allow-internal#1", "ingress", "allow", 65534, "udp", ((0, 65535),), internal, (), True, True),
        ("default-allow-internal#2", "ingress", "allow", 65534, "icmp", (), internal, (), True, True),
        ("default-allow-rdp", "ingress", "allow", 65534, "tcp", ((3389, 3389),), internet, (), True, True),
        ("default-allow-ssh", "ingress", "allow", 65534, "tcp", ((22, 22),), internet, (), True, True),
        ("implied-deny-ingress", "ingress", "deny", 65535, "all", (), ("any",), (), True, True),
        ("implied-allow-egress", "egress", "allow", 65535, "all", (), ("any",), (), True, True),
    ]
    assert policy.rules[0].id == "projects/acme-default/global/firewalls/default-allow-icmp"
    assert [(x.id, x.cidrs, x.route_table_ids) for x in s.subnets] == [
        ("projects/acme-default/regions/europe-west1/subnetworks/default", ("10.132.0.0/20",), (f"{net}/routes",)),
        ("projects/acme-default/regions/us-central1/subnetworks/default", ("10.128.0.0/20",), (f"{net}/routes",)),
    ]
    [table] = s.route_tables
    assert [(r.destination, r.target_kind, r.target_id, r.priority, r.origin) for r in table.routes] == [
        ("0.0.0.0/0", "internet", f"{net}/default-internet-gateway", 1000, "system"),  # GCP's own default route
        ("10.128.0.0/20", "local", "projects/acme-default/regions/us-central1/subnetworks/default", 0, "system"),
        ("10.132.0.0/20", "local", "projects/acme-default/regions/europe-west1/subnetworks/default", 0, "system"),
    ]
    [igw] = s.gateways
    assert (igw.kind, igw.network_id, igw.requires_public_address) == ("internet", net, True)
    [vm] = s.workloads
    assert vm.id == "projects/acme-default/zones/us-central1-a/instances/web-1/nic0"
    assert (vm.region, vm.private_ips, vm.public_ips, vm.network_tags, vm.tags) == (
        "us-central1", ("10.128.0.2",), ("34.66.10.20",), ("http-server",), {"env": "prod"})
    assert vm.service_accounts == ("123456789-compute@developer.gserviceaccount.com",)
    assert (vm.owner_kind, vm.owner_id, vm.network_id) == (
        "instance", "projects/acme-default/zones/us-central1-a/instances/web-1", net)
    assert s.flow_logs == () and s.peerings == ()


def test_custom_network_laid_out_as_the_five_zones():
    s = snap("five_zones")
    net = "projects/acme-prod/global/networks/prod"
    sub = "projects/acme-prod/regions/us-central1/subnetworks/"
    [network] = s.networks
    assert not network.is_default
    assert network.policy_ids == ("firewallPolicies/987654321012", f"{net}/firewall-rules",
                                  "projects/acme-prod/global/firewallPolicies/prod-baseline")
    subnets = by_id(s.subnets)
    assert {k.rsplit("/", 1)[-1]: (v.cidrs, v.purpose) for k, v in subnets.items()} == {
        "dmz": (("10.10.0.0/24",), "PRIVATE"),
        "internal": (("10.10.1.0/24", "10.20.0.0/16"), "PRIVATE"),
        "data": (("10.10.2.0/24",), "PRIVATE"),
        "management": (("10.10.3.0/24",), "PRIVATE"),
        "proxy-only": (("10.10.100.0/23",), "REGIONAL_MANAGED_PROXY"),
    }
    policies = {p.kind: p for p in s.policies}
    app_sa, db_sa = "app-sa@acme-prod.iam.gserviceaccount.com", "db-sa@acme-prod.iam.gserviceaccount.com"
    assert rules(policies["vpc-firewall"]) == [
        ("allow-app-to-db", "ingress", "allow", 1000, "tcp", ((5432, 5432),), (f"service-account:{app_sa}",),
         (f"service-account:{db_sa}",), True, False),
        ("allow-bastion-ssh", "ingress", "allow", 1000, "tcp", ((22, 22),), ("tag:bastion",), (), True, False),
        ("allow-dmz-to-app", "ingress", "allow", 1000, "tcp", ((8080, 8080),), ("tag:dmz",), ("tag:app",), True, False),
        ("allow-https-to-dmz", "ingress", "allow", 1000, "tcp", ((443, 443),), ("cidr:0.0.0.0/0",), ("tag:dmz",), True, False),
        ("allow-iap-to-bastion", "ingress", "allow", 1000, "tcp", ((22, 22),), ("cidr:35.235.240.0/20",),
         ("tag:bastion",), True, False),
        ("deny-db-egress", "egress", "deny", 900, "all", (), ("cidr:0.0.0.0/0",), ("tag:db",), True, False),
        ("implied-deny-ingress", "ingress", "deny", 65535, "all", (), ("any",), (), True, True),
        ("implied-allow-egress", "egress", "allow", 65535, "all", (), ("any",), (), True, True),
    ]
    # Evaluated in GCP's order: hierarchical (0), VPC firewall rules (100), network policy (200).
    hier, net_policy = policies["hierarchical-firewall-policy"], policies["network-firewall-policy"]
    assert (hier.chain_order, policies["vpc-firewall"].chain_order, net_policy.chain_order) == (0, 100, 200)
    assert rules(hier) == [
        ("100", "ingress", "next", 100, "tcp", ((22, 22),), ("cidr:35.235.240.0/20",), (), True, False),
        ("200", "ingress", "deny", 200, "tcp", ((3389, 3389), (5900, 5901)), ("cidr:0.0.0.0/0",), (), True, False),
        ("2147483647", "ingress", "next", 2147483647, "all", (), ("cidr:0.0.0.0/0",), (), True, True),
    ]
    # A geolocation allow stays an allow from the internet; an FQDN deny cannot be honoured and is left out.
    assert rules(net_policy) == [
        ("1000", "ingress", "deny", 1000, "tcp", ((23, 23),), ("cidr:0.0.0.0/0",), (), True, False),
        ("2000", "ingress", "allow", 2000, "tcp", ((443, 443),), ("internet",), (f"service-account:{app_sa}",), True, False),
    ]
    [table] = s.route_tables
    routes = {(r.destination, r.target_kind): r for r in table.routes}
    assert routes[("10.50.0.0/16", "appliance")].instance_tags == ("app",)
    assert routes[("10.50.0.0/16", "appliance")].target_id == "10.10.3.10"
    assert routes[("10.50.0.0/16", "appliance")].priority == 800
    assert routes[("192.168.0.0/16", "vpn")].target_id == "projects/acme-prod/regions/us-central1/vpnTunnels/onprem-tunnel-1"
    assert routes[("10.60.0.0/16", "peering")].target_id == f"{net}/peerings/prod-to-shared"
    assert routes[("10.10.0.0/24", "local")].target_id == sub + "dmz"  # listed subnet route
    assert routes[("10.20.0.0/16", "local")].target_id == sub + "internal"  # secondary range, written out
    assert len(table.routes) == 10
    peerings = {p.name: p for p in s.peerings}
    shared, legacy = peerings["prod-to-shared"], peerings["prod-to-legacy"]
    assert (shared.state, shared.route_exchange, shared.forwarded_traffic, shared.peer_network_id, shared.peer_account) == (
        "active", "automatic", True, "projects/acme-shared/global/networks/shared-services", "acme-shared")
    assert (legacy.state, legacy.forwarded_traffic) == ("inactive", False)
    workloads = by_id(s.workloads)
    inst = "projects/acme-prod/zones/"
    bastion0, bastion1 = workloads[inst + "us-central1-c/instances/bastion-1/nic0"], workloads[inst + "us-central1-c/instances/bastion-1/nic1"]
    assert (bastion0.subnet_id, bastion0.public_ips, bastion1.subnet_id, bastion1.public_ips) == (
        sub + "management", ("34.30.3.5",), sub + "internal", ())
    app = workloads[inst + "us-central1-b/instances/app-1/nic0"]
    assert app.private_ips == ("10.10.1.5", "10.10.1.50") and app.service_accounts == (app_sa,)
    assert app.tags == {"zone": "internal"}
    lbs = {w.name: w for w in s.workloads if w.owner_kind == "load-balancer"}
    assert {n: (w.public_ips, w.region) for n, w in lbs.items()} == {
        "web-nlb": (("34.30.9.9",), "us-central1"), "web-https": (("34.149.0.1",), "global")}  # the ILB is not public
    assert [(f.target_kind, f.target_id, f.traffic, f.enabled) for f in s.flow_logs] == [
        ("policy", "projects/acme-prod/global/firewalls/allow-https-to-dmz", "all", True),
        ("subnet", sub + "data", "all", True),
    ]


def test_higher_priority_deny_shadows_the_allow():
    [policy] = snap("shadowed").policies
    world = ("cidr:0.0.0.0/0",)
    assert rules(policy)[:3] == [
        ("allow-ssh-world", "ingress", "allow", 1000, "tcp", ((22, 22),), world, (), True, False),
        ("deny-admin-world#0", "ingress", "deny", 100, "tcp", ((22, 22), (3389, 3389)), world, (), True, False),
        ("deny-admin-world#1", "ingress", "deny", 100, "udp", ((3389, 3389),), world, (), True, False),
    ]


def test_data_subnet_natted_by_cloud_nat():
    s = snap("nat_data")
    nats = {g.name: g for g in s.gateways if g.kind == "nat"}
    sub = "projects/acme-nat/regions/"
    assert nats["data-nat"].nat_subnet_ids == (sub + "us-central1/subnetworks/data",)
    assert nats["data-nat"].region == "us-central1" and nats["data-nat"].public
    # ALL_SUBNETWORKS_ALL_IP_RANGES: every subnet of that network in the router's region, and no other.
    assert nats["eu-nat"].nat_subnet_ids == (sub + "europe-west1/subnetworks/eu-app", sub + "europe-west1/subnetworks/eu-data")
    assert nats["eu-nat"].id == "projects/acme-nat/regions/europe-west1/routers/eu-router/nats/eu-nat"
    assert {g.network_id for g in nats.values()} == {"projects/acme-nat/global/networks/core"}
    [db] = s.workloads
    assert db.public_ips == () and db.subnet_id == sub + "us-central1/subnetworks/data"


def test_hostile_data():
    s = snap("hostile")
    [legacy] = [n for n in s.networks if n.name == "legacy"]  # legacy mode: the range sits on the network
    assert legacy.cidrs == ("10.240.0.0/16",)
    [lb] = [w for w in s.workloads if w.owner_kind == "load-balancer"]
    assert lb.public_ips == ("2600:1901:0:abcd::",) and lb.owner_id.endswith("backendServices/v6-bes")
    [policy] = [p for p in s.policies if p.network_id.endswith("/weird")]
    got = {r[0]: r for r in rules(policy)}
    # Tags and service accounts together: either source matches; both target kinds are kept.
    assert got["tags-and-accounts"][4:8] == (
        "tcp", ((1000, 2000),), ("tag:web", "service-account:x@acme-odd.iam.gserviceaccount.com"),
        ("tag:db", "service-account:y@acme-odd.iam.gserviceaccount.com"))
    assert got["ipv6-in"][4:7] == ("icmpv6", (), ("cidr:2001:db8::/32", "cidr:::/0"))
    assert got["disabled-any"][8] is False
    assert got["egress-default-dest"][1:7] == ("egress", "deny", 1000, "udp", (), ("any",))
    [subnet] = s.subnets
    assert subnet.cidrs == ("10.70.0.0/24", "2600:1900:4000:1a2b::/64")
    [vm] = [w for w in s.workloads if w.owner_kind == "instance"]
    assert vm.tags == {"owner": "zoë-😀", "équipe": "données"}
    assert vm.name == "ünïcode-vm/nic0" and vm.public_ips == ("2600:1900:4000:1a2b::3",)
    # The snapshot file takes all of it (schema-valid, round-trips).
    assert snapshot_file.loads(snapshot_file.dumps(s)) == s


@pytest.mark.parametrize("url", [
    "https://www.googleapis.com/compute/v1/projects/p/global/networks/n",
    "https://compute.googleapis.com/compute/beta/projects/p/global/networks/n",
    "projects/p/global/networks/n",
    "global/networks/n",
])
def test_urls_match_by_project_and_name_not_host(url):
    assert path(url, "p") == "projects/p/global/networks/n"


@pytest.mark.parametrize("name", ["default_network", "five_zones", "shadowed", "nat_data"])
def test_every_scenario_is_a_valid_snapshot_file(name):
    s = snap(name)
    assert snapshot_file.loads(snapshot_file.dumps(s)) == s


def test_network_policy_order_follows_the_network_and_regional_policies_come_after():
    raw = scenario("five_zones")
    raw["networks"][0]["networkFirewallPolicyEnforcementOrder"] = "BEFORE_CLASSIC_FIREWALL"
    regional = dict(raw["firewallPolicies"][0], name="prod-regional", region=f"{raw['networks'][0]['selfLink'].split('/global/')[0]}/regions/us-central1",
                    selfLink=raw["firewallPolicies"][0]["selfLink"].replace("global/firewallPolicies/prod-baseline",
                                                                             "regions/us-central1/firewallPolicies/prod-regional"))
    raw["firewallPolicies"].append(regional)
    s = normalize(raw["project"], raw)
    order = {p.id.rsplit("/", 1)[-1]: (p.kind, p.chain_order, p.region) for p in s.policies if p.kind != "listener"}
    assert order == {
        "987654321012": ("hierarchical-firewall-policy", 0, "global"),
        "prod-baseline": ("network-firewall-policy", 50, "global"),
        "prod-regional": ("network-firewall-policy", 60, "us-central1"),
        "firewall-rules": ("vpc-firewall", 100, "global"),
    }
    assert "projects/acme-prod/regions/us-central1/firewallPolicies/prod-regional" in s.networks[0].policy_ids


def test_default_rule_names_are_platform_defaults_only_in_the_default_network():
    raw = scenario("default_network")
    raw["networks"][0]["name"] = "custom"
    raw["networks"][0]["selfLink"] = raw["networks"][0]["selfLink"].replace("/default", "/custom")
    for fw in raw["firewalls"]:
        fw["network"] = raw["networks"][0]["selfLink"]
    [policy] = normalize(raw["project"], raw).policies
    assert [r.platform_default for r in policy.rules] == [False] * 6 + [True, True]


def test_flow_logs_with_zero_sampling_record_nothing():
    raw = scenario("five_zones")
    data = next(s for s in raw["subnetworks"] if s["name"] == "data")
    data["logConfig"]["flowSampling"] = 0
    logs = [f for f in normalize(raw["project"], raw).flow_logs if f.target_kind == "subnet"]
    assert [(f.target_id.rsplit("/", 1)[-1], f.enabled) for f in logs] == [("data", False)]


def test_hierarchical_rules_aimed_at_other_networks_do_not_apply():
    raw = scenario("five_zones")
    [org] = [p for p in raw["effectiveFirewalls"]["prod"]["firewallPolicys"] if p["type"] == "HIERARCHY"]
    org["rules"][0]["targetResources"] = ["https://www.googleapis.com/compute/v1/projects/acme-other/global/networks/x"]
    org["rules"][1]["targetResources"] = ["https://compute.googleapis.com/compute/v1/projects/acme-prod/global/networks/prod"]
    s = normalize(raw["project"], raw)
    [hier] = [p for p in s.policies if p.kind == "hierarchical-firewall-policy"]
    assert hier.id == "firewallPolicies/987654321012/networks/prod" and hier.id in s.networks[0].policy_ids
    assert [r.priority for r in hier.rules] == [200, 2147483647]


def test_a_forwarding_rule_forwards_only_its_own_ports():
    s = snap("five_zones")
    frontends = [w for w in s.workloads if w.owner_kind == "load-balancer"]
    assert frontends
    policies = {p.id: p for p in s.policies}
    for fr in frontends:
        [listener_id] = fr.policy_ids
        listener = policies[listener_id]
        assert listener.kind == "listener" and listener.evaluation == "first-match"
        forward, rest = listener.rules
        assert (forward.action, forward.protocol) == ("allow", "tcp") and forward.ports
        assert (rest.action, rest.platform_default) == ("deny", True)


def test_network_mode_routing_mode_and_private_google_access_are_kept():
    default, custom = snap("default_network"), snap("five_zones")
    assert [(n.subnet_mode, n.routing_mode) for n in default.networks] == [("auto", "regional")]
    assert ("custom", "global") in {(n.subnet_mode, n.routing_mode) for n in custom.networks}
    assert not any(s.private_service_access for s in default.subnets)
    assert any(s.private_service_access for s in custom.subnets)
