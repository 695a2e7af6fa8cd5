from builder import allow_in, cidr
from casefiles import Case
from estates import ANY4, INTERNET, aws, azure, gcp
from builder import app_group, tag

CHECK = "SEG101"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_aws_open_rule_but_no_route_from_internet": Case(
        lambda: aws(app=[allow_in("tcp", 22, ANY4)], app_public=True).snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_ssh_open_on_public_tier": Case(lambda: aws(web=[allow_in("tcp", 22, ANY4)]).snapshot(),
        {"sg-web"}, affected={"eni-web"}),
    "fail_aws_extra_port_parameter": Case(
        lambda: aws(web=[allow_in("tcp", 9999, cidr("0.0.0.0/0"))]).snapshot(), {"sg-web"}, affected={"eni-web"},
        params={"extra_ports": ("tcp/9999",)}),
    "fail_gcp_ssh_from_anywhere_to_web": Case(
        lambda: gcp([allow_in("tcp", 22, ANY4, targets=[tag("web")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-web"}),
    "fail_azure_rdp_from_internet": Case(
        lambda: azure([allow_in("tcp", 3389, INTERNET, targets=[app_group("asg-web")], priority=90)]).snapshot(),
        {"nsg-zones"}, affected={"nic-web"}),
}
