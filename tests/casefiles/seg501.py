from builder import Estate
from casefiles import Case

CHECK = "SEG501"


def _estate(provider: str, log_on: str | None, traffic: str = "all") -> Estate:
    e = Estate(provider)
    net = e.network("net-1", "10.0.0.0/16")
    a = e.subnet("sub-a", net, "10.0.1.0/24")
    e.subnet("sub-b", net, "10.0.2.0/24")
    if log_on == "network":
        e.flow_log("fl-1", net, "network", traffic=traffic)
    elif log_on == "subnet-a":
        e.flow_log("fl-1", a, "subnet", traffic=traffic)
    return e


def _gcp_all_subnets() -> Estate:
    e = _estate("gcp", None)
    e.flow_log("fl-a", "sub-a", "subnet")
    e.flow_log("fl-b", "sub-b", "subnet")
    return e


def _azure_nsg_logs() -> Estate:
    e = Estate("azure")
    net = e.network("vnet-1", "10.0.0.0/16")
    nsg = e.policy("nsg-1", net)
    e.subnet("sub-a", net, "10.0.1.0/24", policies=[nsg])
    e.flow_log("fl-nsg", nsg, "policy")
    return e


CASES = {
    "pass_aws_vpc_flow_log_all": Case(lambda: _estate("aws", "network").snapshot()),
    "pass_gcp_every_subnet_logged": Case(lambda: _gcp_all_subnets().snapshot()),
    "pass_azure_nsg_flow_log_on_subnet_nsg": Case(lambda: _azure_nsg_logs().snapshot()),
    "fail_aws_no_flow_logs": Case(lambda: _estate("aws", None).snapshot(), {"net-1"}),
    "fail_aws_accept_only_misses_rejects": Case(lambda: _estate("aws", "network", "accept").snapshot(), {"net-1"}),
    "fail_gcp_one_subnet_unlogged": Case(lambda: _estate("gcp", "subnet-a").snapshot(), {"sub-b"}),
    "fail_azure_vnet_without_logs": Case(lambda: _estate("azure", None).snapshot(), {"net-1"}),
}
