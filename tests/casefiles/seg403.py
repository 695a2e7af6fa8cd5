from builder import allow_in, cidr, service_tag, tag, app_group
from casefiles import Case
from estates import aws, azure, gcp

CHECK = "SEG403"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_aws_from_management_subnet_range": Case(lambda: aws(app=[allow_in("tcp", 22, cidr("10.0.48.0/24"))]).snapshot()),
    "pass_gcp_reference_design_with_iap": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_ssh_from_app_subnet_range": Case(
        lambda: aws(app=[allow_in("tcp", 22, cidr("10.0.16.0/20"))]).snapshot(), {"sg-app"}),
    "fail_gcp_ssh_from_whole_network": Case(
        lambda: gcp([allow_in("tcp", 22, cidr("10.10.0.0/16"), targets=[tag("app")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}),
    "fail_azure_rdp_from_virtual_network": Case(
        lambda: azure([allow_in("tcp", 3389, service_tag("VirtualNetwork", "10.20.0.0/16"),
                                targets=[app_group("asg-app")], priority=90)]).snapshot(), {"nsg-zones"}),
}

CASES["pass_azure_load_balancer_probe_is_not_an_admin_source"] = Case(
    lambda: azure([allow_in("all", None, service_tag("AzureLoadBalancer", "168.63.129.16/32"),
                            priority=90)]).snapshot())
