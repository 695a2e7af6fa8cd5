from builder import Estate, hub_route, local, route
from casefiles import Case
from scanner.model import Account

CHECK = "SEG205"


def _aws(dev_tags, peering_state="active", routed=True, peered=True):
    e = Estate("aws")
    prod = e.network("vpc-prod", "10.0.0.0/16", tags={"Environment": "Production"})
    dev = e.network("vpc-dev", "10.1.0.0/16", tags=dev_tags)
    if peered:
        e.peering("pcx-1", prod, dev, state=peering_state)
        e.peering("pcx-1", dev, prod, state=peering_state)
    routes = [local("10.0.0.0/16")] + ([route("10.1.0.0/16", "peering", "pcx-1")] if routed else [])
    e.route_table("rtb-prod", prod, routes=routes)
    return e.snapshot()


def _aws_transit(dev_env, hub_route="10.0.0.0/8"):
    e = Estate("aws")
    prod = e.network("vpc-prod", "10.0.0.0/16", tags={"env": "prd"})
    dev = e.network("vpc-dev", "10.1.0.0/16", tags={"env": dev_env})
    e.route_table("rtb-prod", prod, routes=[local("10.0.0.0/16"), route(hub_route, "transit", "tgw-1")])
    e.gateway("tgw-1", "transit", dev)
    return e.snapshot()


def _aws_hub_tables(shared_table):
    """prod and dev on one transit gateway; separate hub tables unless `shared_table`."""
    e = Estate("aws")
    e.hub("tgw-1")
    for name, cidr, env in (("prod", "10.0.0.0/16", "prd"), ("dev", "10.1.0.0/16", "dev")):
        vpc = e.network(f"vpc-{name}", cidr, tags={"env": env})
        rt = e.route_table(f"rtb-{name}", vpc, routes=[local(cidr), route("10.0.0.0/8", "transit", "tgw-1")])
        sn = e.subnet(f"sn-{name}", vpc, cidr.replace("0.0/16", "1.0/24"), route_tables=[rt])
        e.gateway(f"tgw-attach-{name}", "transit", vpc, service="tgw-1")
        table = "tgw-rtb-all" if shared_table else f"tgw-rtb-{name}"
        e.hub_attachment(f"tgw-attach-{name}", "tgw-1", network=vpc, subnets=[sn], route_table=table)
    both = [hub_route("10.0.0.0/16", "tgw-attach-prod", origin="propagated"),
            hub_route("10.1.0.0/16", "tgw-attach-dev", origin="propagated")]
    if shared_table:
        e.hub_route_table("tgw-rtb-all", "tgw-1", routes=both)
    else:
        e.hub_route_table("tgw-rtb-prod", "tgw-1", routes=both[:1])
        e.hub_route_table("tgw-rtb-dev", "tgw-1", routes=both[1:])
    return e.snapshot()


def _gcp(dev_label):
    e = Estate("gcp", account="prod-project", region="global")
    e.items["accounts"] = [Account(provider="gcp", id="prod-project", name="shop-prod")]
    prod = e.network("projects/prod-project/global/networks/shop", name="shop")
    dev = e.network("projects/sandbox-1/global/networks/shop", name="shop", account="sandbox-1",
                    tags={"stage": dev_label})
    e.peering("projects/prod-project/global/networks/shop/peerings/to-sandbox", prod, dev,
              route_exchange="automatic")
    return e.snapshot()


def _azure(peer_account_name, peer_tags):
    e = Estate("azure", account="sub-prod", region="westeurope")
    e.add(Account(provider="azure", id="sub-dev", name=peer_account_name), "accounts")
    prod = e.network("/subscriptions/sub-prod/.../virtualNetworks/vnet-hub", "10.0.0.0/16", name="vnet-hub",
                     tags={"ENVIRONMENT": "prod"})
    dev = e.network("/subscriptions/sub-dev/.../virtualNetworks/vnet-dev", "10.9.0.0/16", name="vnet-dev",
                    account="sub-dev", tags=peer_tags)
    e.peering("/subscriptions/sub-prod/.../virtualNetworkPeerings/hub-to-dev", prod, dev, peer_account="sub-dev",
              route_exchange="automatic")
    return e.snapshot()


CASES = {
    "pass_aws_prod_peers_prod": Case(lambda: _aws({"Environment": "prod"})),
    "pass_aws_pending_peering_without_route": Case(lambda: _aws({"Environment": "dev"}, "pending", routed=False)),
    "pass_aws_untagged_peer_is_unknown": Case(lambda: _aws({})),
    "fail_aws_active_peering_to_dev": Case(lambda: _aws({"Environment": "dev"}), {"vpc-prod"}),
    "pass_aws_route_over_inactive_peering": Case(lambda: _aws({"environment": "QA"}, "inactive", routed=True)),
    "fail_aws_qa_peer_any_tag_case": Case(lambda: _aws({"environment": "QA"}), {"vpc-prod"}),
    "pass_aws_transit_to_prod": Case(lambda: _aws_transit("production")),
    "pass_aws_hub_route_tables_keep_prod_and_dev_apart": Case(lambda: _aws_hub_tables(shared_table=False)),
    "fail_aws_one_shared_hub_route_table_joins_them": Case(lambda: _aws_hub_tables(shared_table=True), {"vpc-prod"}),
    "pass_aws_transit_route_only_to_prod_ranges": Case(lambda: _aws_transit("staging", "10.50.0.0/16")),
    "fail_aws_transit_route_reaches_staging": Case(lambda: _aws_transit("staging"), {"vpc-prod"}),
    "pass_gcp_peer_is_also_prod": Case(lambda: _gcp("prod")),
    "fail_gcp_prod_project_peers_sandbox": Case(lambda: _gcp("sandbox"),
                                                {"projects/prod-project/global/networks/shop"}),
    "pass_azure_peer_in_prod_subscription": Case(lambda: _azure("platform-prod", {})),
    "fail_azure_peer_in_dev_subscription": Case(lambda: _azure("contoso-dev", {}),
                                                {"/subscriptions/sub-prod/.../virtualNetworks/vnet-hub"}),
    "fail_azure_peer_tagged_test": Case(lambda: _azure("shared", {"Env": "test"}),
                                        {"/subscriptions/sub-prod/.../virtualNetworks/vnet-hub"}),
}
