from builder import allow_in, app_group, cidr, tag
from casefiles import Case
from estates import ANY4, INTERNET, aws, azure, gcp

CHECK = "SEG105"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    # reached today: SEG102 reports it, live
    "pass_aws_open_and_reached_is_seg102s": Case(lambda: aws(web=[allow_in("tcp", 3306, ANY4)]).snapshot()),
    # a narrow partner range is not the internet
    "pass_aws_narrow_public_range": Case(lambda: aws(db=[allow_in("tcp", 5432, cidr("203.0.113.0/24"))]).snapshot()),
    # the database open to the world, with no public address: nothing reaches it today
    "fail_aws_database_open_to_the_world_without_public_address": Case(
        lambda: aws(db=[allow_in("tcp", 5432, ANY4)]).snapshot(), {"sg-db"}, affected={"eni-db"}),
    # a public address, but the subnet routes out through NAT only: one route away
    "fail_aws_ssh_open_public_address_no_internet_route": Case(
        lambda: aws(app=[allow_in("tcp", 22, ANY4)], app_public=True).snapshot(), {"sg-app"}, affected={"eni-app"}),
    "fail_gcp_database_open_to_the_world_without_external_ip": Case(
        lambda: gcp([allow_in("tcp", 5432, ANY4, targets=[tag("db")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-db"}),
    "fail_azure_sql_open_to_the_internet_without_public_ip": Case(
        lambda: azure([allow_in("tcp", 1433, INTERNET, targets=[app_group("asg-db")], priority=90)]).snapshot(),
        {"nsg-zones"}, affected={"nic-db"}),
}
