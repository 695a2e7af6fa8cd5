from builder import allow_in, app_group, tag
from casefiles import Case
from estates import ANY4, INTERNET, aws, azure, gcp

CHECK = "SEG103"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_aws_ssh_is_seg101s_not_this_checks": Case(lambda: aws(web=[allow_in("tcp", 22, ANY4)]).snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_alt_https_port": Case(lambda: aws(web=[allow_in("tcp", 8443, ANY4)]).snapshot(),
        {"sg-web"}, affected={"eni-web"}),
    "fail_gcp_app_port_open_to_the_world": Case(
        lambda: gcp([allow_in("tcp", 8080, ANY4, targets=[tag("web")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-web"}),
    "fail_azure_udp_from_internet": Case(
        lambda: azure([allow_in("udp", 161, INTERNET, targets=[app_group("asg-web")], priority=90)]).snapshot(),
        {"nsg-zones"}, affected={"nic-web"}),
}
