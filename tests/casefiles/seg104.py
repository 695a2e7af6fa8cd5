import threezone as estates
from casefiles import Case

CHECK = "SEG104"

VM = "projects/proj-1/zones/europe-west1-b/instances/{}/nic0"
NIC = estates.AZ + "/networkInterfaces/{}-nic"

# A policy file whose internet-facing zone is called "edge": the check is told so by params.
EDGE_POLICY = """
version: 1
zones:
  - name: edge
    match: [{tags: {Zone: dmz}}]
  - name: internal
    match: [{tags: {Zone: internal}}]
  - name: data
    match: [{tags: {Zone: data}}]
"""

CASES = {
    "pass_aws_public_address_only_in_dmz": Case(lambda: estates.aws().snapshot()),
    "fail_aws_app_server_with_public_address": Case(lambda: estates.aws(app_public="198.18.1.1").snapshot(),
                                                    {"eni-app"}),
    "pass_aws_policy_file_names_its_dmz_edge": Case(lambda: estates.aws().snapshot(), zones=EDGE_POLICY,
                                                    params={"dmz_zones": ("edge",)}),
    "fail_aws_policy_file_data_zone_public": Case(lambda: estates.aws(db_public="198.18.2.2").snapshot(),
                                                  {"eni-db"}, zones=EDGE_POLICY, params={"dmz_zones": ("edge",)}),
    "pass_gcp_external_address_only_on_web": Case(lambda: estates.gcp().snapshot()),
    "fail_gcp_database_with_external_address": Case(lambda: estates.gcp(db_public="198.18.2.2").snapshot(),
                                                    {VM.format("db")}),
    "pass_azure_public_ip_only_on_web_nic": Case(lambda: estates.azure().snapshot()),
    "fail_azure_app_nic_with_public_ip": Case(lambda: estates.azure(app_public="198.18.1.1").snapshot(),
                                              {NIC.format("app")}),
}
