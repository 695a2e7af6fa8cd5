from builder import Estate, allow_in, allow_out, cidr, deny_in, group, service_tag
from casefiles import Case

CHECK = "SEG303"


def _aws(rules_of, attached=True):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    sub = e.subnet("subnet-1", vpc, "10.0.1.0/24")
    default = e.policy("sg-default", vpc, rules=rules_of("sg-default"), is_default=True, name="default")
    app = e.policy("sg-app", vpc, rules=[allow_in("all", None, group("sg-app"))])
    e.workload("eni-1", sub, "10.0.1.10", policies=[default] if attached else [app])
    return e.snapshot()


def _gcp(*rules, default_network=True):
    e = Estate("gcp", account="proj-1", region="global")
    net_id = "projects/proj-1/global/networks/" + ("default" if default_network else "prod")
    fw = e.policy("projects/proj-1/global/firewalls", net_id, rules=rules, name="firewall-rules")
    net = e.network(net_id, policy_ids=[fw], is_default=default_network, name=net_id.rsplit("/", 1)[-1])
    e.subnet("projects/proj-1/regions/us-east1/subnetworks/default", net, "10.142.0.0/20")
    return e.snapshot()


GCP_INTERNAL = allow_in("all", None, cidr("10.128.0.0/9"), name="default-allow-internal", priority=65534,
                        platform_default=True)
GCP_SSH = allow_in("tcp", 22, cidr("0.0.0.0/0"), name="default-allow-ssh", priority=65534, platform_default=True)

VNET = service_tag("VirtualNetwork", "10.20.0.0/16")
AZ_DEFAULT = allow_in("all", None, VNET, targets=[VNET], name="AllowVnetInBound", priority=65000,
                      platform_default=True)
NSG = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-app"


def _azure(*rules, workloads=True):
    e = Estate("azure", account="sub-1", region="westeurope")
    vnet = e.network("/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
                     "10.20.0.0/16", name="vnet")
    nsg = e.policy(NSG, rules=(*rules, AZ_DEFAULT), name="nsg-app")
    sub = e.subnet(vnet.id + "/subnets/app", vnet, "10.20.1.0/24", policies=[nsg], name="app")
    if workloads:
        e.workload("/subscriptions/sub-1/.../networkInterfaces/app-nic", sub, "10.20.1.4")
    return e.snapshot()


def _azure_nic():
    e = Estate("azure", account="sub-1", region="westeurope")
    vnet = e.network("/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
                     "10.20.0.0/16", name="vnet")
    nsg = e.policy(NSG, rules=(AZ_DEFAULT,), name="nsg-app")
    sub = e.subnet(vnet.id + "/subnets/app", vnet, "10.20.1.0/24", name="app")
    e.workload("/subscriptions/sub-1/.../networkInterfaces/app-nic", sub, "10.20.1.4", policies=[nsg])
    return e.snapshot()


CASES = {
    "pass_aws_default_group_emptied": Case(lambda: _aws(lambda me: [])),
    "pass_aws_default_group_unused": Case(lambda: _aws(lambda me: [allow_in("all", None, group(me))], attached=False)),
    "fail_aws_default_group_in_use": Case(
        lambda: _aws(lambda me: [allow_in("all", None, group(me)), allow_out("all", None, cidr("0.0.0.0/0"))]),
        {"sg-default"}),
    "fail_aws_default_group_egress_only": Case(
        lambda: _aws(lambda me: [allow_out("all", None, cidr("0.0.0.0/0"))]), {"sg-default"}),
    "pass_gcp_custom_network": Case(lambda: _gcp(GCP_INTERNAL, default_network=False)),
    "pass_gcp_default_network_rules_deleted": Case(lambda: _gcp()),
    "pass_gcp_default_rules_disabled": Case(lambda: _gcp(
        allow_in("all", None, cidr("10.128.0.0/9"), name="default-allow-internal", priority=65534, enabled=False))),
    "fail_gcp_default_network_with_default_rules": Case(
        lambda: _gcp(GCP_INTERNAL, GCP_SSH), {"projects/proj-1/global/networks/default"}),
    "pass_azure_vnet_denied_above_default": Case(lambda: _azure(
        allow_in("tcp", 443, cidr("10.20.0.0/24"), priority=100), deny_in("*", None, VNET, priority=4096))),
    "pass_azure_deny_all_above_default": Case(lambda: _azure(deny_in("*", None, cidr("*"), priority=4000))),
    "pass_azure_deny_vnet_to_any_destination": Case(lambda: _azure(
        deny_in("*", None, VNET, targets=[cidr("*")], priority=4096))),
    "fail_azure_deny_only_for_one_destination": Case(lambda: _azure(
        deny_in("*", None, VNET, targets=[cidr("10.20.9.0/24")], priority=4096)), {NSG}),
    "fail_azure_nic_nsg_keeps_allow_vnet_in_bound": Case(lambda: _azure_nic(), {NSG}),
    "pass_azure_nsg_on_empty_subnet": Case(lambda: _azure(workloads=False)),
    "fail_azure_allow_vnet_in_bound_in_force": Case(lambda: _azure(), {NSG}),
    "fail_azure_partial_deny_does_not_override": Case(
        lambda: _azure(deny_in("tcp", 22, VNET, priority=4000)), {NSG}),
}
