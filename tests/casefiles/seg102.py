from builder import allow_in, app_group, tag
from casefiles import Case
from estates import ANY4, INTERNET, aws, azure, gcp

CHECK = "SEG102"

CASES = {
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_aws_db_rule_open_but_no_public_address": Case(lambda: aws(db=[allow_in("tcp", 5432, ANY4)]).snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_mysql_on_public_tier": Case(lambda: aws(web=[allow_in("tcp", 3306, ANY4)]).snapshot(),
        {"sg-web"}, affected={"eni-web"}),
    "fail_gcp_redis_from_anywhere": Case(
        lambda: gcp([allow_in("tcp", 6379, ANY4, targets=[tag("web")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-web"}),
    "fail_azure_sql_server_from_internet": Case(
        lambda: azure([allow_in("tcp", 1433, INTERNET, targets=[app_group("asg-web")], priority=90)]).snapshot(),
        {"nsg-zones"}, affected={"nic-web"}),
}
