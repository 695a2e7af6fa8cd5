from builder import allow_in, allow_out, app_group, cidr, group, tag
from casefiles import Case
from estates import aws, azure, gcp

CHECK = "SEG402"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_app_tier_reaches_bastion": Case(
        lambda: aws(app=[allow_out("tcp", 22, group("sg-bastion"))],
                    bastion=[allow_in("tcp", 22, group("sg-app"))]).snapshot(),
        {"sg-bastion"}, affected={"eni-bastion"}),
    "fail_gcp_app_tier_reaches_bastion": Case(
        lambda: gcp([allow_in("tcp", 22, tag("app"), targets=[tag("bastion")], priority=900),
                     allow_out("tcp", 22, cidr("10.10.3.0/24"), targets=[tag("app")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-bastion"}),
    "fail_azure_vnet_default_makes_bastion_reachable": Case(lambda: azure(deny_vnet=False).snapshot(),
                                                           {"nsg-zones"}, affected={"nic-bastion"}),
}
