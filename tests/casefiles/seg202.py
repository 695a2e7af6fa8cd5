import threezone as estates
from casefiles import Case

CHECK = "SEG202"

GCP_SUB = "projects/proj-1/regions/europe-west1/subnetworks/{}"
AZ_SUB = estates.AZ_VNET + "/subnets/{}"

CASES = {
    "pass_aws_internal_out_through_nat": Case(lambda: estates.aws().snapshot()),
    "fail_aws_internal_route_to_internet_gateway": Case(lambda: estates.aws(app_route="igw").snapshot(),
                                                        {"sn-internal"}),
    "pass_gcp_internal_out_through_cloud_nat": Case(lambda: estates.gcp(nat_subnets=("internal",)).snapshot()),
    "pass_gcp_no_external_address_no_way_out": Case(lambda: estates.gcp().snapshot()),
    "fail_gcp_internal_vm_goes_out_directly": Case(lambda: estates.gcp(app_public="198.18.1.1").snapshot(),
                                                   {GCP_SUB.format("internal")}),
    "pass_azure_internal_through_firewall": Case(lambda: estates.azure(udr_zones=("internal",)).snapshot()),
    "pass_azure_internal_through_nat_gateway": Case(lambda: estates.azure(nat_zones=("internal",)).snapshot()),
    "fail_azure_default_outbound_access": Case(lambda: estates.azure().snapshot(), {AZ_SUB.format("internal")}),
}
