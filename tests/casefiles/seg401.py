from builder import allow_in, allow_out, app_group, cidr, group, tag
from casefiles import Case
from estates import aws, azure, gcp

CHECK = "SEG401"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_ssh_from_dmz_to_app": Case(
        lambda: aws(web=[allow_out("tcp", 22, group("sg-app"))], app=[allow_in("tcp", 22, group("sg-web"))]).snapshot(),
        {"sg-app"}, affected={"eni-app"}),
    "fail_gcp_ssh_from_web_to_app": Case(
        lambda: gcp([allow_in("tcp", 22, tag("web"), targets=[tag("app")], priority=900),
                     allow_out("tcp", 22, cidr("10.10.1.0/24"), targets=[tag("web")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-app"}),
    "fail_azure_ssh_from_web_to_app": Case(
        lambda: azure([allow_in("tcp", 22, app_group("asg-web"), targets=[app_group("asg-app")],
                                priority=105)]).snapshot(), {"nsg-zones"}, affected={"nic-app"}),
}
