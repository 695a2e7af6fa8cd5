"""Azure Firewall network rules, from recorded ARM JSON through the real SDK and normalize:
the rules the appliance enforces, exactly as docs/model.md says they map."""
from __future__ import annotations

from providers.azure import normalize
from scanner.model import CollectionError, FirewallPolicy, Peer, PortRange, Rule

from test_azure_scenarios import A, collected, one, rid

ANY = (Peer(kind="any"),)


def cidrs(*values):
    return tuple(Peer(kind="cidr", value=v) for v in values)


def test_classic_rule_collections_become_one_first_match_policy():
    snap = collected("udr_firewall")
    fw = rid("hub-rg", "azureFirewalls", "fw-hub")
    policy = one(snap.policies, "fw-hub/networkRules")
    assert one(snap.gateways, "azureFirewalls/fw-hub").policy_ids == (policy.id,)
    assert (policy.kind, policy.stateful, policy.evaluation, policy.network_id, policy.name) == (
        "appliance-firewall", True, "first-match", rid("hub-rg", "virtualNetworks", "vnet-hub"), "fw-hub network rules")
    col = f"{fw}/networkRuleCollections"
    common = dict(direction="ingress")
    assert policy.rules == (
        Rule(id=f"{col}/allow-dns/rules/dns/udp", name="allow-dns/dns", priority=100, protocol="udp",
             ports=(PortRange(first=53, last=53),), peers=cidrs("10.30.0.0/16"), **common),
        Rule(id=f"{col}/deny-ssh/rules/ssh/tcp", name="deny-ssh/ssh", action="deny", priority=150, protocol="tcp",
             ports=(PortRange(first=22, last=22),), peers=ANY, **common),
        Rule(id=f"{col}/spoke-out/rules/web/tcp", name="spoke-out/web", priority=300, protocol="tcp",
             ports=(PortRange(first=443, last=443), PortRange(first=8000, last=8100)), peers=cidrs("10.31.1.0/24"),
             targets=cidrs("10.30.0.64/26", "192.168.0.0/16"), **common),
        # An address range is the CIDRs that cover it; Any with ports is TCP and UDP on them, and ICMP.
        *(Rule(id=f"{col}/spoke-out/rules/pair/{p}", name="spoke-out/pair", priority=300, protocol=p,
               ports=() if p == "icmp" else (PortRange(first=443, last=443),), peers=cidrs("10.31.1.10/31"), **common)
          for p in ("tcp", "udp", "icmp")),
        Rule(id=f"{col}/spoke-out/rules/ping/icmp", name="spoke-out/ping", priority=300, protocol="icmp",
             peers=ANY, targets=cidrs("10.31.0.0/16"), **common),
        # IP groups and service tags name addresses only Azure knows: kept, never evaluated.
        Rule(id=f"{col}/spoke-out/rules/admins", name="spoke-out/admins", priority=300, peers=ANY, enabled=False,
             description="not evaluated: names source IP groups", **common),
        Rule(id=f"{col}/spoke-out/rules/to-storage", name="spoke-out/to-storage", priority=300, peers=ANY,
             enabled=False, description="not evaluated: names addresses that are not IP ranges (service tags)",
             **common),
        Rule(id=f"{fw}/implicitDeny", name="ImplicitDeny", action="deny", priority=65535, peers=ANY,
             platform_default=True, description="Azure Firewall denies what no rule allows", **common),
    )


def test_firewall_policy_groups_with_base_policy_first():
    snap = collected("firewall_with_policy")
    fw = rid("fw-rg", "azureFirewalls", "fw-policy")
    policy = one(snap.policies, "fw-policy/networkRules")
    assert one(snap.gateways, "azureFirewalls/fw-policy").policy_ids == (policy.id,)
    base = rid("fw-rg", "firewallPolicies", "fwp-base") + "/ruleCollectionGroups/baseline/ruleCollections"
    child = rid("fw-rg", "firewallPolicies", "fwp-child") + "/ruleCollectionGroups/apps/ruleCollections"
    web = dict(name="allow-web/web", priority=10**10 + 200 * 100000 + 300, ports=(PortRange(first=443, last=443),),
               peers=cidrs("10.51.0.0/16"), targets=cidrs("10.52.0.0/16"), direction="ingress")
    # DNAT collections and application (FQDN) rules are not filters by address: left out.
    assert policy.rules == (
        Rule(id=f"{base}/deny-rdp/rules/rdp/tcp", name="deny-rdp/rdp", action="deny", priority=100 * 100000 + 100,
             protocol="tcp", ports=(PortRange(first=3389, last=3389),), peers=ANY, direction="ingress"),
        Rule(id=f"{child}/allow-web/rules/web/tcp", protocol="tcp", **web),
        Rule(id=f"{child}/allow-web/rules/web/udp", protocol="udp", **web),
        Rule(id=f"{fw}/implicitDeny", name="ImplicitDeny", action="deny", priority=10**10 + 200 * 100000 + 301,
             peers=ANY, platform_default=True, description="Azure Firewall denies what no rule allows",
             direction="ingress"),
    )


def test_policy_not_read_is_a_gap_and_the_firewall_stays_pass_through():
    raw = {"subscription": A, "azureFirewalls": [{
        "id": rid("fw-rg", "azureFirewalls", "fw-x"), "name": "fw-x", "location": "westeurope",
        "properties": {"ipConfigurations": [], "networkRuleCollections": [],
                       "firewallPolicy": {"id": "/subscriptions/other/resourceGroups/p/providers/Microsoft.Network/firewallPolicies/p1"}}}]}
    snap = normalize.snapshot([raw])
    assert one(snap.gateways, "fw-x").policy_ids == () and not snap.policies
    assert snap.errors == (CollectionError(
        provider="azure", account=A, service="Microsoft.Network", operation="firewallPolicies/ruleCollectionGroups.list",
        code="NotRead", message="rules of Azure Firewall fw-x (Firewall Policy /subscriptions/other/resourceGroups/p/"
                                "providers/Microsoft.Network/firewallPolicies/p1) were not read; it is treated as pass-through"),)


def test_firewall_without_rule_collections_listed_has_no_policy():
    raw = {"subscription": A, "azureFirewalls": [{"id": rid("fw-rg", "azureFirewalls", "fw-y"), "name": "fw-y",
                                                  "properties": {"ipConfigurations": []}}]}
    snap = normalize.snapshot([raw])
    assert one(snap.gateways, "fw-y").policy_ids == () and snap.policies == () and snap.errors == ()


def test_rule_collection_groups_are_read_only_for_policies_in_use():
    from arm_fake import FakeArm, FakeCredential, load
    from providers.azure import fetch
    from scanner.progress import QUIET

    subs = load("firewall_with_policy")
    unused = dict(subs[A]["firewallPolicies"][0], id=rid("fw-rg", "firewallPolicies", "fwp-unused"), name="fwp-unused")
    subs[A]["firewallPolicies"].append(unused)
    with FakeArm(subs) as arm:
        fetch.fetch(FakeCredential(), [A], fetch.Settings(retry_total=3, retry_backoff_factor=0), 1, QUIET)
    groups = sorted(p.rsplit("/", 2)[-2] for p in arm.gets() if p.lower().endswith("/rulecollectiongroups"))
    assert groups == ["fwp-base", "fwp-child"]


def test_any_protocol_on_every_port_is_one_rule_for_all():
    from providers.azure.firewall import network_rules

    rule = {"name": "r", "protocols": ["Any"], "sourceAddresses": ["10.0.0.0/8", "192.168.1.1"],
            "destinationAddresses": ["*"], "destinationPorts": ["*"]}
    assert network_rules(rule, "c", "cid", 400, "deny") == [Rule(
        id="cid/rules/r/all", name="c/r", direction="ingress", action="deny", priority=400, protocol="all",
        peers=cidrs("10.0.0.0/8", "192.168.1.1/32"))]


def test_denied_rule_collection_groups_are_gaps_never_a_deny_all_firewall():
    import json

    from arm_fake import FakeArm, FakeCredential, load
    from providers.azure import fetch
    from scanner.progress import QUIET

    def denied(method, path):
        if "firewallPolicies/fwp-child/ruleCollectionGroups" in path:
            return 403, {"content-type": "application/json"}, json.dumps({"error": {
                "code": "AuthorizationFailed", "message": "no Microsoft.Network/firewallPolicies/ruleCollectionGroups/read"}})
        return None

    subs = load("firewall_with_policy")
    with FakeArm(subs, fault=denied):
        raws, gaps = fetch.fetch(FakeCredential(), [A], fetch.Settings(retry_total=3, retry_backoff_factor=0), 1, QUIET)
    snap = normalize.snapshot(raws, gaps)
    assert [(e.operation, e.code) for e in snap.errors] == [
        ("firewallPolicyRuleCollectionGroups.list(fwp-child)", "AuthorizationFailed"),
        ("firewallPolicies/ruleCollectionGroups.list", "NotRead")]
    assert one(snap.gateways, "fw-policy").policy_ids == () and not snap.policies


def test_every_firewall_policy_read_is_covered_by_the_shipped_role():
    import fnmatch
    import json
    from importlib import resources

    from arm_fake import FakeArm, FakeCredential, load
    from providers.azure import fetch
    from scanner.progress import QUIET
    from test_azure_collect import required_action

    actions = [a.lower() for a in json.loads(resources.files("providers").joinpath("azure", "role.json").read_text())["Actions"]]
    with FakeArm(load("firewall_with_policy")) as arm:
        fetch.fetch(FakeCredential(), [A], fetch.Settings(retry_total=3, retry_backoff_factor=0), 1, QUIET)
    paths = set(arm.gets())
    assert any(p.lower().endswith("/rulecollectiongroups") for p in paths)
    for path in paths:
        assert any(fnmatch.fnmatch(required_action(path), a) for a in actions), path


def test_central_policy_in_another_subscription_is_read_there():
    import json

    from arm_fake import FakeArm, FakeCredential, load
    from providers.azure import fetch
    from scanner.progress import QUIET

    b = "22222222-2222-2222-2222-222222222222"
    subs = load("firewall_with_policy")
    moved = json.loads(json.dumps({k: subs[A].pop(k) for k in ("firewallPolicies", "firewallPolicyRuleCollectionGroups")})
                       .replace(A, b))
    subs[b] = {"displayName": "connectivity", **moved}
    subs[A]["azureFirewalls"][0]["properties"]["firewallPolicy"]["id"] = moved["firewallPolicies"][1]["id"]
    with FakeArm(subs) as arm:
        raws, gaps = fetch.fetch(FakeCredential(), [A, b], fetch.Settings(retry_total=3, retry_backoff_factor=0), 2, QUIET)
    assert gaps == []
    assert sorted(p.split("/")[2] for p in arm.gets() if p.lower().endswith("/rulecollectiongroups")) == [b, b]
    snap = normalize.snapshot(raws, gaps)
    policy = one(snap.policies, "fw-policy/networkRules")
    assert policy.account == A and [r.name for r in policy.rules] == [
        "deny-rdp/rdp", "allow-web/web", "allow-web/web", "ImplicitDeny"]
    assert snap.errors == ()
