import threezone as estates
from builder import internet_peer, allow_out, cidr, deny_out
from casefiles import Case

CHECK = "SEG204"

NSG = estates.AZ + "/networkSecurityGroups/nsg-{}"

CASES = {
    "pass_aws_data_group_without_egress": Case(lambda: estates.aws(db_egress=[]).snapshot()),
    "pass_aws_data_egress_only_inside_vpc": Case(
        lambda: estates.aws(db_egress=[allow_out("tcp", 443, cidr("10.0.0.0/16"))]).snapshot()),
    "fail_aws_data_group_keeps_default_egress": Case(lambda: estates.aws().snapshot(), {"sg-db"}),
    "fail_aws_data_workload_in_app_subnet": Case(lambda: estates.aws(db_subnet="internal").snapshot(), {"sg-db"}),
    "pass_gcp_deny_egress_for_data_instances": Case(
        lambda: estates.gcp(rules=estates.gcp_deny_data_egress()).snapshot()),
    "fail_gcp_implied_allow_egress": Case(lambda: estates.gcp().snapshot(), {estates.GCP_NET + "/firewalls"}),
    "pass_azure_data_nsg_denies_internet_out": Case(lambda: estates.azure(
        data_rules=[deny_out("all", None, internet_peer(), priority=4000)]).snapshot()),
    "fail_azure_allow_internet_outbound_default": Case(lambda: estates.azure().snapshot(), {NSG.format("data")}),
}
