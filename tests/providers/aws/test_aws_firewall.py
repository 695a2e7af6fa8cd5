"""An inspection VPC between two spokes on a transit gateway, with AWS Network Firewall (or
a Gateway Load Balancer endpoint) on the path, from records in the API's own shape."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from providers.aws import fetch
from providers.aws.normalize import region_snapshot
from scanner.context import AuditContext
from scanner.model import Account, Snapshot, merge

ACCOUNT, REGION, AZ = "111122223333", "eu-west-1", "eu-west-1a"
POLICY = f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:firewall-policy/inspect"
STATEFUL = f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:stateful-rulegroup/no-ssh"
STATELESS = f"arn:aws:network-firewall:{REGION}:{ACCOUNT}:stateless-rulegroup/edge"
UUID = "00000000-0000-0000-0000-000000000001"
OPEN = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def table(rtb, vpc, subnet, routes):
    return {"RouteTableId": rtb, "VpcId": vpc, "Associations": [{"SubnetId": subnet, "AssociationState": {"State": "associated"}}],
            "Routes": [{"DestinationCidrBlock": d, **t, "State": "active"} for d, t in routes]}


def estate(inspector="firewall", stateful=None, stateless=(), strict=False, defaults=()):
    """Spokes a (10.1/16) and b (10.2/16) reach each other only through the inspection VPC."""
    vpcs, subnets, tables, enis, attachments, vpc_attachments = [], [], [], [], [], []
    for name, cidr, zone in (("a", "10.1.0.0/16", "internal"), ("b", "10.2.0.0/16", "data")):
        vpcs.append({"VpcId": f"vpc-{name}", "CidrBlock": cidr, "OwnerId": ACCOUNT})
        subnets.append({"SubnetId": f"subnet-{name}", "VpcId": f"vpc-{name}", "CidrBlock": cidr.replace("0.0/16", "1.0/24"),
                        "AvailabilityZone": AZ, "Tags": [{"Key": "Zone", "Value": zone}]})
        tables.append(table(f"rtb-{name}", f"vpc-{name}", f"subnet-{name}",
                            [(cidr, {"GatewayId": "local"}), ("10.0.0.0/8", {"TransitGatewayId": "tgw-1"})]))
        enis.append({"NetworkInterfaceId": f"eni-{name}", "VpcId": f"vpc-{name}", "SubnetId": f"subnet-{name}",
                     "PrivateIpAddress": cidr.replace("0.0/16", "1.10"), "Groups": [{"GroupId": "sg-open"}],
                     "InterfaceType": "interface", "Attachment": {"InstanceId": f"i-{name}"}})
        attachments.append((f"tgw-attach-{name}", f"vpc-{name}", "tgw-rtb-spokes"))
        vpc_attachments.append((f"tgw-attach-{name}", f"vpc-{name}", f"subnet-{name}"))
    endpoint = "vpce-fw" if inspector == "firewall" else "vpce-gwlb"
    vpcs.append({"VpcId": "vpc-insp", "CidrBlock": "10.9.0.0/16", "OwnerId": ACCOUNT})
    subnets += [{"SubnetId": "subnet-tgw", "VpcId": "vpc-insp", "CidrBlock": "10.9.0.0/24", "AvailabilityZone": AZ},
                {"SubnetId": "subnet-fw", "VpcId": "vpc-insp", "CidrBlock": "10.9.1.0/24", "AvailabilityZone": AZ}]
    tables += [table("rtb-tgw", "vpc-insp", "subnet-tgw", [("10.9.0.0/16", {"GatewayId": "local"}),
                                                           ("0.0.0.0/0", {"GatewayId": endpoint})]),
               table("rtb-fw", "vpc-insp", "subnet-fw", [("10.9.0.0/16", {"GatewayId": "local"}),
                                                         ("10.0.0.0/8", {"TransitGatewayId": "tgw-1"})])]
    attachments.append(("tgw-attach-insp", "vpc-insp", "tgw-rtb-insp"))
    vpc_attachments.append(("tgw-attach-insp", "vpc-insp", "subnet-tgw"))
    raw = {
        "Vpcs": vpcs, "Subnets": subnets, "RouteTables": tables, "NetworkInterfaces": enis,
        "SecurityGroups": [{"GroupId": "sg-open", "GroupName": "open", "IpPermissions": [OPEN],
                            "IpPermissionsEgress": [OPEN]}],
        "TransitGateways": [{"TransitGatewayId": "tgw-1", "OwnerId": ACCOUNT, "State": "available"}],
        "TransitGatewayAttachments": [
            {"TransitGatewayAttachmentId": a, "TransitGatewayId": "tgw-1", "ResourceType": "vpc", "ResourceId": v,
             "State": "available", "Association": {"TransitGatewayRouteTableId": t, "State": "associated"}}
            for a, v, t in attachments],
        "TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": a, "TransitGatewayId": "tgw-1", "VpcId": v,
                                          "SubnetIds": [s], "State": "available"} for a, v, s in vpc_attachments],
        "TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": t, "TransitGatewayId": "tgw-1", "State": "available"}
                                      for t in ("tgw-rtb-spokes", "tgw-rtb-insp")],
        "TransitGatewayStaticRoutes": [
            {"TransitGatewayRouteTableId": "tgw-rtb-spokes", "AdditionalRoutesAvailable": False, "Routes": [
                {"DestinationCidrBlock": "0.0.0.0/0", "Type": "static", "State": "active",
                 "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-insp"}]}]},
            {"TransitGatewayRouteTableId": "tgw-rtb-insp", "AdditionalRoutesAvailable": False, "Routes": []}],
        "TransitGatewayPropagations": [
            {"TransitGatewayRouteTableId": "tgw-rtb-spokes", "TransitGatewayRouteTablePropagations": []},
            {"TransitGatewayRouteTableId": "tgw-rtb-insp", "TransitGatewayRouteTablePropagations": [
                {"TransitGatewayAttachmentId": f"tgw-attach-{n}", "ResourceType": "vpc", "ResourceId": f"vpc-{n}",
                 "State": "enabled"} for n in ("a", "b")]}],
    }
    if inspector == "gwlb":
        raw["VpcEndpoints"] = [{"VpcEndpointId": "vpce-gwlb", "VpcEndpointType": "GatewayLoadBalancer",
                                "VpcId": "vpc-insp", "SubnetIds": ["subnet-fw"], "State": "available",
                                "ServiceName": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123"}]
        return raw
    groups = []
    refs_stateful = []
    if stateful is not None:
        groups.append({"RuleGroupResponse": {"RuleGroupArn": STATEFUL, "Type": "STATEFUL"}, "RuleGroup": {"RulesSource": stateful}})
        refs_stateful.append({"ResourceArn": STATEFUL, "Priority": 10})
    if stateless:
        groups.append({"RuleGroupResponse": {"RuleGroupArn": STATELESS, "Type": "STATELESS"}, "RuleGroup": {"RulesSource": {
            "StatelessRulesAndCustomActions": {"StatelessRules": list(stateless)}}}})
    raw["FirewallDetails"] = [{"Firewall": {"FirewallArn": "arn:fw", "FirewallName": "inspect", "VpcId": "vpc-insp",
                                            "FirewallPolicyArn": POLICY},
                               "FirewallStatus": {"SyncStates": {AZ: {"Attachment": {"SubnetId": "subnet-fw",
                                                                                   "EndpointId": "vpce-fw"}}}}}]
    raw["FirewallPolicies"] = [{"FirewallPolicyResponse": {"FirewallPolicyArn": POLICY, "FirewallPolicyName": "inspect"},
                                "FirewallPolicy": {
                                    "StatelessDefaultActions": ["aws:forward_to_sfe"],
                                    "StatelessRuleGroupReferences": [{"ResourceArn": STATELESS, "Priority": 1}] if stateless else [],
                                    "StatefulRuleGroupReferences": refs_stateful,
                                    "StatefulDefaultActions": list(defaults),
                                    "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER" if strict else "DEFAULT_ACTION_ORDER"}}}]
    raw["RuleGroups"] = groups
    return raw


def stateful_rule(action, port, source="ANY", destination="ANY", protocol="TCP", direction="ANY"):
    return {"Action": action, "Header": {"Protocol": protocol, "Source": source, "SourcePort": "ANY",
                                         "Direction": direction, "Destination": destination,
                                         "DestinationPort": str(port)},
            "RuleOptions": [{"Keyword": "sid", "Settings": ["1"]}]}


def reach(raw, workload):
    ctx = AuditContext(merge([Snapshot(accounts=(Account(provider="aws", id=ACCOUNT),)),
                              region_snapshot(ACCOUNT, REGION, raw)]))
    return {z: a.ports.describe() for z, a in ctx.reach.inbound(workload).items()}


NO_SSH = {"StatefulRules": [stateful_rule("DROP", 22)]}

SCENARIOS = {
    "no_firewall_rules_pass_everything": (lambda: estate(), "eni-b", {"internal": ["all"]}),
    "stateful_drop_of_ssh_between_spokes": (lambda: estate(stateful=NO_SSH), "eni-b",
                                            {"internal": ["tcp/0-21", "tcp/23-65535", "udp/all", "sctp/all", "icmp", "icmpv6", "other"]}),
    "strict_order_pass_443_then_drop_strict": (
        lambda: estate(stateful={"StatefulRules": [stateful_rule("PASS", 443)]}, strict=True,
                       defaults=["aws:drop_strict"]), "eni-b", {"internal": ["tcp/443"]}),
    "strict_order_alert_only_default_passes": (
        lambda: estate(stateful={"StatefulRules": [stateful_rule("ALERT", 22)]}, strict=True,
                       defaults=["aws:alert_strict"]), "eni-b", {"internal": ["all"]}),
    # a forward-direction drop from a to b: b still reaches a on ssh
    "forward_only_drop_is_one_direction": (
        lambda: estate(stateful={"StatefulRules": [stateful_rule("DROP", 22, "10.1.0.0/16", "10.2.0.0/16",
                                                                 direction="FORWARD")]}),
        "eni-a", {"data": ["all"]}),
    "suricata_strings_may_pass": (
        lambda: estate(stateful={"RulesString": "drop tcp any any -> any 22 (sid:1;)"}, strict=True,
                       defaults=["aws:drop_strict"]), "eni-b", {"internal": ["all"]}),
    "domain_list_may_pass": (
        lambda: estate(stateful={"RulesSourceList": {"Targets": [".example.com"], "TargetTypes": ["TLS_SNI"],
                                                     "GeneratedRulesType": "ALLOWLIST"}}, strict=True,
                       defaults=["aws:drop_strict"]), "eni-b", {"internal": ["all"]}),
    "stateless_drop_by_priority_before_pass": (
        lambda: estate(stateless=[
            {"Priority": 1, "RuleDefinition": {"Actions": ["aws:drop"], "MatchAttributes": {
                "Sources": [{"AddressDefinition": "10.1.0.0/16"}], "Protocols": [6],
                "DestinationPorts": [{"FromPort": 443, "ToPort": 443}]}}},
            {"Priority": 2, "RuleDefinition": {"Actions": ["aws:pass"], "MatchAttributes": {"Protocols": [6]}}}]),
        "eni-b", {"internal": ["tcp/0-442", "tcp/444-65535", "udp/all", "sctp/all", "icmp", "icmpv6", "other"]}),
    "stateless_drop_narrowed_by_source_ports_is_not_applied": (
        lambda: estate(stateless=[
            {"Priority": 1, "RuleDefinition": {"Actions": ["aws:drop"], "MatchAttributes": {
                "Protocols": [6], "SourcePorts": [{"FromPort": 1024, "ToPort": 2048}]}}}]),
        "eni-b", {"internal": ["all"]}),
    "gwlb_endpoint_passes_through": (lambda: estate("gwlb"), "eni-b", {"internal": ["all"]}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, target, expected = SCENARIOS[name]
    assert reach(build(), target) == expected


def test_the_path_and_the_firewall_rule_are_the_evidence():
    raw = estate(stateful={"StatefulRules": [stateful_rule("PASS", 443)]}, strict=True, defaults=["aws:drop_strict"])
    ctx = AuditContext(region_snapshot(ACCOUNT, REGION, raw))
    access = ctx.reach.inbound("eni-b")["internal"]
    assert "route 0.0.0.0/0 -> appliance vpce-fw in rtb-tgw (subnet-tgw)" in access.evidence, access.evidence
    assert any(c.policy_id == f"{POLICY}/stateful" and c.ports.describe() == ["tcp/443"] for c in access.causes)
    gateway = ctx.index.gateways["vpce-fw"]
    assert (gateway.kind, gateway.subnet_id, gateway.policy_ids) == (
        "appliance", "subnet-fw", (f"{POLICY}/stateless", f"{POLICY}/stateful"))


def test_firewall_calls_one_per_firewall_policy_and_rule_group():
    client = boto3.client("network-firewall", region_name=REGION)
    data = fetch.RegionData(account=ACCOUNT, region=REGION)
    with Stubber(client) as stub:
        stub.add_response("list_firewalls", {"Firewalls": [{"FirewallName": n, "FirewallArn": f"arn:fw/{n}"}
                                                           for n in ("one", "two")]}, {"MaxResults": 100})
        for n in ("one", "two"):  # two firewalls sharing one policy
            stub.add_response("describe_firewall", {
                "UpdateToken": "t", "Firewall": {"FirewallName": n, "FirewallArn": f"arn:fw/{n}", "FirewallPolicyArn": POLICY,
                                                 "VpcId": "vpc-insp", "SubnetMappings": [{"SubnetId": "subnet-fw"}],
                                                 "FirewallId": UUID},
                "FirewallStatus": {"Status": "READY", "ConfigurationSyncStateSummary": "IN_SYNC"}},
                {"FirewallArn": f"arn:fw/{n}"})
        stub.add_response("describe_firewall_policy", {
            "UpdateToken": "t", "FirewallPolicyResponse": {"FirewallPolicyName": "inspect", "FirewallPolicyArn": POLICY,
                                                           "FirewallPolicyId": UUID},
            "FirewallPolicy": {"StatelessDefaultActions": ["aws:forward_to_sfe"],
                               "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
                               "StatelessRuleGroupReferences": [{"ResourceArn": STATELESS, "Priority": 1}],
                               "StatefulRuleGroupReferences": [{"ResourceArn": STATEFUL}]}},
            {"FirewallPolicyArn": POLICY})
        for arn in (STATELESS, STATEFUL):
            stub.add_response("describe_rule_group", {
                "UpdateToken": "t", "RuleGroupResponse": {"RuleGroupArn": arn, "RuleGroupName": "g", "RuleGroupId": UUID}},
                {"RuleGroupArn": arn})
        fetch.firewalls(client, data, fetch.threading.Event())
        stub.assert_no_pending_responses()
    assert [len(data.raw[k]) for k in ("Firewalls", "FirewallDetails", "FirewallPolicies", "RuleGroups")] == [2, 2, 1, 2]
    assert not data.errors
