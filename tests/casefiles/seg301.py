from builder import Estate, allow_in, app_group, cidr, deny_in, group, service_tag, tag
from casefiles import Case

CHECK = "SEG301"


def _aws(*rules, kind=None):
    e = Estate("aws")
    vpc = e.network("vpc-1", "10.0.0.0/16")
    app = e.policy("sg-app", vpc)
    sub = e.subnet("subnet-1", vpc, "10.0.1.0/24")
    db = e.policy("sg-db", vpc, rules=[r(app) if callable(r) else r for r in rules], kind=kind)
    e.workload("eni-db", sub, "10.0.1.20", policies=[db])
    return e.snapshot()


def _gcp(*rules):
    e = Estate("gcp", account="proj-1", region="global")
    fw = e.policy("projects/proj-1/global/firewalls", "projects/proj-1/global/networks/prod", rules=rules,
                  name="prod-firewall")
    net = e.network("projects/proj-1/global/networks/prod", policy_ids=[fw], name="prod")
    e.subnet("projects/proj-1/regions/europe-west1/subnetworks/app", net, "10.10.0.0/20")
    return e.snapshot()


def _gcp_default_network():
    e = Estate("gcp", account="proj-1", region="global")
    net_id = "projects/proj-1/global/networks/default"
    fw = e.policy(f"{net_id}/firewalls", net_id, name="firewall-rules", rules=[
        allow_in("all", None, cidr("10.128.0.0/9"), name="default-allow-internal", priority=65534)])
    net = e.network(net_id, policy_ids=[fw], is_default=True, name="default")
    e.subnet("projects/proj-1/regions/us-east1/subnetworks/default", net, "10.142.0.0/20")
    return e.snapshot()


def _azure(*rules):
    e = Estate("azure", account="sub-1", region="westeurope")
    vnet = e.network("/subscriptions/sub-1/.../virtualNetworks/vnet-prod", "10.20.0.0/16", name="vnet-prod")
    nsg = e.policy("/subscriptions/sub-1/.../networkSecurityGroups/nsg-data", rules=rules, name="nsg-data")
    sub = e.subnet("/subscriptions/sub-1/.../subnets/data", vnet, "10.20.3.0/24", policies=[nsg])
    e.workload("/subscriptions/sub-1/.../networkInterfaces/db-nic", sub, "10.20.3.4")
    return e.snapshot()


VNET = service_tag("VirtualNetwork", "10.20.0.0/16")
AZ_DEFAULT = allow_in("all", None, VNET, targets=[VNET], name="AllowVnetInBound", priority=65000,
                      platform_default=True)

CASES = {
    "pass_aws_group_reference": Case(lambda: _aws(lambda app: allow_in("tcp", 5432, group(app)))),
    "pass_aws_public_range_is_not_internal": Case(lambda: _aws(allow_in("tcp", 443, cidr("0.0.0.0/0")))),
    "pass_aws_network_acl_can_only_use_cidrs": Case(
        lambda: _aws(allow_in("tcp", 5432, cidr("10.0.0.0/16"), priority=100), kind="network-acl")),
    "pass_aws_disabled_rule": Case(lambda: _aws(allow_in("tcp", 5432, cidr("10.0.0.0/16"), enabled=False))),
    "pass_gcp_source_tags": Case(lambda: _gcp(allow_in("tcp", 5432, tag("app"), targets=[tag("db")]))),
    "pass_gcp_platform_rule": Case(lambda: _gcp(
        allow_in("all", None, cidr("10.128.0.0/9"), name="default-allow-internal", priority=65534,
                 platform_default=True))),
    "pass_gcp_default_network_rule_is_seg303s": Case(lambda: _gcp_default_network()),
    "pass_azure_asg_source": Case(lambda: _azure(
        allow_in("tcp", 1433, app_group("asg-app"), priority=100), AZ_DEFAULT)),
    "pass_azure_deny_by_range": Case(lambda: _azure(deny_in("all", None, cidr("10.20.0.0/16"), priority=4000))),
    "pass_azure_range_shadowed_by_earlier_deny": Case(lambda: _azure(
        deny_in("*", None, cidr("10.20.0.0/16"), priority=100),
        allow_in("tcp", 1433, cidr("10.20.1.0/24"), priority=200), AZ_DEFAULT)),
    "fail_aws_private_cidrs_one_finding": Case(
        lambda: _aws(allow_in("tcp", 5432, cidr("10.0.1.0/24")), allow_in("tcp", 6379, cidr("172.16.0.0/12"))),
        {"sg-db"}),
    "fail_aws_ipv6_unique_local": Case(lambda: _aws(allow_in("tcp", 5432, cidr("fd00:ab::/64"))), {"sg-db"}),
    "fail_gcp_internal_source_range": Case(
        lambda: _gcp(allow_in("tcp", 5432, cidr("10.10.0.0/20"), targets=[tag("db")], name="db-from-app")),
        {"projects/proj-1/global/firewalls"}),
    "fail_azure_vnet_cidr_instead_of_asg": Case(
        lambda: _azure(allow_in("tcp", 1433, cidr("10.20.1.0/24"), priority=100), AZ_DEFAULT),
        {"/subscriptions/sub-1/.../networkSecurityGroups/nsg-data"}),
}
