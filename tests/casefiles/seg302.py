from builder import Estate, allow_in, app_group, cidr, deny_in, group, service_tag, tag
from casefiles import Case

CHECK = "SEG302"


def _aws(make_rules, is_default=False):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    sub = e.subnet("subnet-1", vpc, "10.0.1.0/24")
    alb = e.policy("sg-alb", vpc)
    sg = e.policy("sg-app", vpc, rules=make_rules("sg-app", alb), is_default=is_default)
    e.workload("eni-1", sub, "10.0.1.10", policies=[sg])
    e.workload("eni-2", sub, "10.0.1.11", policies=[sg])
    return e.snapshot()


def _gcp(*rules, default_network=False):
    e = Estate("gcp", account="proj-1", region="global")
    net_id = "projects/proj-1/global/networks/" + ("default" if default_network else "prod")
    fw = e.policy("projects/proj-1/global/firewalls", net_id, rules=rules, name="firewall-rules")
    net = e.network(net_id, policy_ids=[fw], is_default=default_network)
    sub = e.subnet("projects/proj-1/regions/us-east1/subnetworks/app", net, "10.0.0.0/20")
    e.subnet("projects/proj-1/regions/us-east1/subnetworks/db", net, "10.0.16.0/20")
    e.workload("projects/proj-1/zones/us-east1-b/instances/app-1/nic0", sub, "10.0.0.5", network_tags=["web"])
    return e.snapshot()


VNET = service_tag("VirtualNetwork", "10.20.0.0/16")
AZ_DEFAULT = allow_in("all", None, VNET, targets=[VNET], name="AllowVnetInBound", priority=65000,
                      platform_default=True)
NSG = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-app"


def _azure(*rules):
    e = Estate("azure", account="sub-1", region="westeurope")
    vnet = e.network("/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
                     "10.20.0.0/16", name="vnet")
    nsg = e.policy(NSG, rules=(*rules, AZ_DEFAULT), name="nsg-app")
    sub = e.subnet(vnet.id + "/subnets/app", vnet, "10.20.1.0/24", policies=[nsg])
    e.workload("/subscriptions/sub-1/.../networkInterfaces/app-nic", sub, "10.20.1.4")
    return e.snapshot()


CASES = {
    "pass_aws_specific_port_from_group": Case(lambda: _aws(lambda me, alb: [allow_in("tcp", 8080, group(alb))])),
    "pass_aws_self_reference_one_port": Case(lambda: _aws(lambda me, alb: [allow_in("tcp", 5701, group(me))])),
    "pass_aws_one_subnet_range_is_seg301s": Case(
        lambda: _aws(lambda me, alb: [allow_in("all", None, cidr("10.0.1.0/24"))])),
    "pass_aws_default_group_is_seg303s": Case(
        lambda: _aws(lambda me, alb: [allow_in("all", None, group(me))], is_default=True)),
    "fail_aws_self_reference_all_traffic": Case(lambda: _aws(lambda me, alb: [allow_in("all", None, group(me))]),
                                                {"sg-app"}),
    "fail_aws_vpc_range_every_tcp_port": Case(
        lambda: _aws(lambda me, alb: [allow_in("tcp", "0-65535", cidr("10.0.0.0/8")),
                                      allow_in("all", None, group(me))]), {"sg-app"}),
    "pass_gcp_tag_to_tag_one_port": Case(lambda: _gcp(allow_in("tcp", 8080, tag("web"), targets=[tag("app")]))),
    "pass_gcp_platform_default_allow_internal": Case(lambda: _gcp(
        allow_in("all", None, cidr("10.128.0.0/9"), name="default-allow-internal", priority=65534,
                 platform_default=True))),
    "pass_gcp_default_network_rule_is_seg303s": Case(lambda: _gcp(
        allow_in("all", None, cidr("10.0.0.0/8"), name="default-allow-internal", priority=65534),
        default_network=True)),
    "pass_gcp_allow_internal_shadowed_by_earlier_deny": Case(lambda: _gcp(
        deny_in("all", None, cidr("10.0.0.0/8"), priority=500),
        allow_in("all", None, cidr("10.0.0.0/8"), name="allow-internal", priority=1000))),
    "fail_gcp_user_allow_internal": Case(
        lambda: _gcp(allow_in("all", None, cidr("10.0.0.0/8"), name="allow-internal", priority=1000)),
        {"projects/proj-1/global/firewalls"}),
    "fail_gcp_tag_to_every_instance": Case(
        lambda: _gcp(allow_in("all", None, tag("web"), name="web-anywhere", priority=1000)),
        {"projects/proj-1/global/firewalls"}),
    "pass_azure_only_platform_default": Case(lambda: _azure()),
    "pass_azure_asg_one_port": Case(lambda: _azure(allow_in("tcp", 443, app_group("asg-web"), priority=100))),
    "fail_azure_virtualnetwork_all_ports": Case(lambda: _azure(allow_in("*", None, VNET, priority=200)), {NSG}),
}
