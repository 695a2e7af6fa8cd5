import threezone as estates
from casefiles import Case

CHECK = "SEG201"

GCP_SUB = "projects/proj-1/regions/europe-west1/subnetworks/{}"
AZ_SUB = estates.AZ_VNET + "/subnets/{}"

CASES = {
    "pass_aws_data_subnet_local_routes_only": Case(lambda: estates.aws().snapshot()),
    "fail_aws_data_subnet_via_nat": Case(lambda: estates.aws(data_route="nat").snapshot(), {"sn-data"}),
    "fail_aws_data_subnet_via_internet_gateway": Case(lambda: estates.aws(data_route="igw").snapshot(), {"sn-data"}),
    "fail_aws_database_in_a_nat_routed_subnet": Case(lambda: estates.aws(db_subnet="internal").snapshot(), {"eni-db"}),
    "pass_gcp_cloud_nat_serves_only_internal": Case(lambda: estates.gcp(nat_subnets=("internal",)).snapshot()),
    "fail_gcp_cloud_nat_serves_data": Case(lambda: estates.gcp(nat_subnets=("internal", "data")).snapshot(),
                                           {GCP_SUB.format("data")}),
    "fail_gcp_database_with_external_address": Case(lambda: estates.gcp(db_public="198.18.2.2").snapshot(),
                                                    {GCP_SUB.format("data")}),
    "pass_azure_default_route_overridden_to_firewall": Case(
        lambda: estates.azure(udr_zones=("internal", "data")).snapshot()),
    "fail_azure_default_outbound_route": Case(lambda: estates.azure(udr_zones=("internal",)).snapshot(),
                                              {AZ_SUB.format("data")}),
    "fail_azure_nat_gateway_on_data_subnet": Case(
        lambda: estates.azure(udr_zones=("internal",), nat_zones=("data",)).snapshot(), {AZ_SUB.format("data")}),
}
