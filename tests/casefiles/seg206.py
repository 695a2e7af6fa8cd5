from builder import allow_in, allow_out, app_group, cidr, group, tag
from casefiles import Case
from estates import aws, azure, gcp

CHECK = "SEG206"

CASES = {
    # internet -> web -> app -> db: three hops, the layered design
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_web_tier_opens_the_database": Case(
        lambda: aws(web=[allow_out("tcp", 5432, group("sg-db"))],
                    db=[allow_in("tcp", 5432, group("sg-web"))]).snapshot(), {"eni-db"}),
    "fail_gcp_web_tier_opens_the_database": Case(
        lambda: gcp([allow_in("tcp", 5432, tag("web"), targets=[tag("db")], priority=900),
                     allow_out("tcp", 5432, cidr("10.10.2.0/24"), targets=[tag("web")], priority=900)]).snapshot(),
        {"vm-db"}),
    "fail_azure_web_tier_opens_the_database": Case(
        lambda: azure([allow_in("tcp", 5432, app_group("asg-web"), targets=[app_group("asg-db")],
                                priority=105)]).snapshot(), {"nic-db"}),
}

# the same chain searched on the whole graph when more hops count
CASES["fail_aws_reference_design_within_three_hops"] = Case(lambda: aws().snapshot(), {"eni-db"},
                                                           params={"max_hops": 3})
