import threezone as estates
from builder import Estate
from casefiles import Case

CHECK = "SEG304"

GCP_DEFAULT = "projects/proj-1/global/networks/default"
GCP_SUB = "projects/proj-1/regions/europe-west1/subnetworks/{}"
AZ_SUB = estates.AZ_VNET + "/subnets/{}"

def _data_vpc():
    e = Estate("aws")
    vpc = e.network("vpc-data", "10.5.0.0/16")
    sub = e.subnet("sn-db", vpc, "10.5.0.0/24", tags={"Zone": "data"})
    e.workload("eni-db-1", sub, "10.5.0.10")
    e.workload("eni-db-2", sub, "10.5.0.11")
    return e.snapshot()


CASES = {
    "pass_aws_subnet_per_zone": Case(lambda: estates.aws().snapshot()),
    "fail_aws_all_zones_in_one_subnet": Case(lambda: estates.aws(single_subnet=True).snapshot(),
                                             {"sn-dmz", "vpc-1"}),
    "fail_aws_database_in_app_subnet": Case(lambda: estates.aws(db_subnet="internal").snapshot(), {"sn-internal"}),
    "fail_aws_default_vpc_holds_workloads": Case(lambda: estates.aws(default_vpc=True).snapshot(), {"vpc-1"}),
    "pass_aws_single_subnet_network_of_one_zone": Case(lambda: _data_vpc()),
    "pass_gcp_subnet_per_zone": Case(lambda: estates.gcp().snapshot()),
    "fail_gcp_default_network_holds_workloads": Case(lambda: estates.gcp(default_network=True).snapshot(),
                                                     {GCP_DEFAULT}),
    "fail_gcp_one_catch_all_subnet": Case(lambda: estates.gcp(single_subnet=True).snapshot(),
                                          {GCP_SUB.format("dmz"), estates.GCP_NET}),
    "pass_azure_subnet_per_zone": Case(lambda: estates.azure().snapshot()),
    "fail_azure_database_in_app_subnet": Case(lambda: estates.azure(db_subnet="internal").snapshot(),
                                              {AZ_SUB.format("internal")}),
    "fail_azure_one_default_subnet": Case(lambda: estates.azure(single_subnet=True).snapshot(),
                                          {AZ_SUB.format("default"), estates.AZ_VNET}),
}
