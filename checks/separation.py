"""Separation: environments kept apart, and networks that are not one flat segment."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterator, Mapping

from checks.common import SEEDS_ZONES, network_of, network_ranges, resource_label
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.findings import Result
from scanner.index import fold
from scanner.model import Network

ENV_TAG_KEYS = ("Environment", "env", "Env", "stage")
PROD_VALUES = ("prod", "production", "prd")
NONPROD_VALUES = ("dev", "development", "test", "staging", "stage", "qa", "sandbox")


def classify(value: str, prod_values, nonprod_values) -> str | None:
    """'prod', 'nonprod' or None for a tag value or account name such as prod-eu or dev."""
    value = value.casefold().strip()
    prod = {v.casefold() for v in prod_values}
    nonprod = {v.casefold() for v in nonprod_values}
    if value in prod:
        return "prod"
    if value in nonprod:
        return "nonprod"
    tokens = set(re.split(r"[^a-z0-9]+", value)) - {""}
    if tokens & {"non", "not", "pre"}:  # non-prod, pre-prod
        return "nonprod" if tokens & prod else None
    hits = ("prod" if tokens & prod else None, "nonprod" if tokens & nonprod else None)
    found = [h for h in hits if h]
    return found[0] if len(found) == 1 else None


class Environments:
    """Which environment each network belongs to: its tags, else its account's name."""

    def __init__(self, ctx: AuditContext, tag_keys, prod_values, nonprod_values) -> None:
        self.keys = {k.casefold() for k in tag_keys}
        self.values = (prod_values, nonprod_values)
        self.account_names = {(a.provider, fold(a.id)): a.name for a in ctx.snapshot.accounts}

    def of_tags(self, tags: Mapping[str, str]) -> tuple[str, str] | None:
        for key, value in sorted(tags.items()):
            if key.casefold() in self.keys:
                env = classify(value, *self.values)
                if env:
                    return env, f"tag {key}={value}"
        return None

    def of_network(self, network: Network) -> tuple[str, str] | None:
        return self.of_tags(network.tags) or self.of_account(network.provider, network.account)

    def of_account(self, provider: str, account: str) -> tuple[str, str] | None:
        name = self.account_names.get((provider, fold(account)), "")
        env = classify(name, *self.values) if name else None
        return (env, f"account name {name}") if env else None


@check(CheckMeta(
    id="SEG205",
    name="prod-connected-to-nonprod",
    title="Production network peers with or routes to a non-production network",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}, 'VPC and Subnet Layout': \"Use a VPC per environment (production, staging, "
        "development) ... Environment separation at the VPC level means a breach in the development "
        "environment cannot laterally move to production — there is no route between them.\" A "
        "peering or a transit route between production and a development, test or staging network "
        "is exactly that route: the weakest environment becomes a way into production."
    ),
    remediation=(
        "Remove the peering (or the transit attachment / route) between the production network "
        "and the non-production one. Where production data must reach another environment, move it "
        "through an explicit, inspected interface (an API behind a load balancer, a private "
        "endpoint, a replication job) rather than network reachability. The same applies to GCP "
        "VPC peering and Azure VNet peering. On a shared transit hub, route production only to "
        "production ranges and keep separate hub route tables per environment (on AWS segaudit reads "
        "the transit gateway's route tables: a route the hub does not carry into the other "
        "network is not a finding)."
    ),
    fix_example=(
        "# no aws_vpc_peering_connection between vpc-prod and vpc-dev, and production routes\n"
        "# to the shared hub only for production ranges (not 10.0.0.0/8, which covers dev)\n"
        'resource "aws_route" "prod_to_shared_services" {\n'
        "  route_table_id         = aws_route_table.prod_app.id\n"
        '  destination_cidr_block = "10.50.0.0/16"  # prod shared services\n'
        "  transit_gateway_id     = aws_ec2_transit_gateway.hub.id\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/benefits-of-using-multiple-aws-accounts.html",
        "https://cloud.google.com/vpc/docs/vpc-peering",
        "https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview",
    ),
    tags=("environment-separation", "routing", "peering"),
    params={"env_tag_keys": ENV_TAG_KEYS, "prod_values": PROD_VALUES, "nonprod_values": NONPROD_VALUES},
))
def prod_connected_to_nonprod(ctx: AuditContext, env_tag_keys=ENV_TAG_KEYS, prod_values=PROD_VALUES,
                              nonprod_values=NONPROD_VALUES) -> Iterator[Result]:
    index = ctx.index
    envs = Environments(ctx, env_tag_keys, prod_values, nonprod_values)

    links: dict[tuple[str, str], list[str]] = defaultdict(list)  # (prod id, other id) -> evidence
    other_env: dict[str, tuple[str, str, str]] = {}  # other id -> (label, why non-production, id)

    def env_of(network_id: str, provider: str = "", account: str = "") -> tuple[str, str] | None:
        network = index.network(network_id)
        if network is not None:
            return envs.of_network(network)
        return envs.of_account(provider, account) if account else None

    def link(prod_id: str, other_id: str, why: str, provider: str = "", account: str = "") -> None:
        mine = env_of(prod_id)
        if not mine or mine[0] != "prod":
            return
        other = env_of(other_id, provider, account)
        if other and other[0] == "nonprod":
            links[(fold(prod_id), fold(other_id))].append(why)
            network = index.network(other_id)
            prod_account = index.network(prod_id).account
            name = other_id if network is None else resource_label(network)
            if network is not None and network.account != prod_account:
                name += f" in {network.account}"
            other_env[fold(other_id)] = (name, other[1],
                                         network.id if network else other_id)

    for peering in ctx.snapshot.peerings:
        if peering.state != "active":
            continue
        why = f"peering {peering.id} ({peering.state})"
        link(peering.network_id, peering.peer_network_id, why, peering.provider, peering.peer_account)
        link(peering.peer_network_id, peering.network_id, why)

    # Routes: the far end of a peering, or every other network on the same transit hub.
    peering_ends: dict[str, set[str]] = defaultdict(set)
    for peering in (p for p in ctx.snapshot.peerings if p.state == "active"):
        peering_ends[fold(peering.id)] |= {fold(peering.network_id), fold(peering.peer_network_id)}
    on_transit: dict[str, set[str]] = defaultdict(set)
    for gw in ctx.snapshot.gateways:
        if gw.kind == "transit" and gw.network_id:  # AWS: one per attachment, `service` the hub
            on_transit[ctx.routing.hub_group(gw.service or gw.id)].add(fold(gw.network_id))
    for table in ctx.snapshot.route_tables:
        for rt in table.routes:
            if rt.target_kind == "transit" and rt.active and rt.target_id:
                on_transit[ctx.routing.hub_group(rt.target_id)].add(fold(table.network_id))
    def nonprod(network_id: str) -> bool:
        found = env_of(network_id)
        return bool(found) and found[0] == "nonprod"

    for table in ctx.snapshot.route_tables:
        mine = env_of(table.network_id)
        if not mine or mine[0] != "prod":
            continue  # link() keeps only production's routes: no need to ask where they go
        for rt in table.routes:
            if not rt.active or rt.target_kind not in ("peering", "transit") or not rt.target_id:
                continue
            key = fold(rt.target_id) if rt.target_kind == "peering" else ctx.routing.hub_group(rt.target_id)
            ends = (peering_ends if rt.target_kind == "peering" else on_transit).get(key, set())
            dest = rt.destination or rt.destination_prefix_list
            for other_id in ends - {fold(table.network_id)}:
                if not nonprod(other_id):
                    continue  # nor routes to another production network
                if rt.target_kind == "transit" and not (
                        _reaches(ctx, rt.destination, other_id)
                        and ctx.routing.hub_reaches(rt.target_id, table.network_id, other_id, rt.destination)):
                    continue  # a hub route for other ranges, or one the hub's own tables do not carry there
                link(table.network_id, other_id, f"route {dest} -> {rt.target_kind} {rt.target_id} in {table.id}")

    for (prod_id, other_id), evidence in sorted(links.items()):
        prod = index.networks[prod_id]
        other_label, other_why, other_native_id = other_env[other_id]
        how = "peers with" if any(e.startswith("peering ") for e in evidence) else "routes to"
        yield Result(
            prod,
            f"Production network {resource_label(prod)} {how} non-production network {other_label} "
            f"({other_why}): a compromise in that environment has a network path into production.",
            evidence=(*evidence, f"{resource_label(prod)} is production by {envs.of_network(prod)[1]}",
                      f"{other_label} is non-production by {other_why}"),
            key=other_native_id,
        )


def _reaches(ctx: AuditContext, destination: str | None, network_id: str) -> bool:
    """Whether a route's destination overlaps the network's address space (unknown: yes)."""
    dest = network_of(destination) if destination else None
    network = ctx.index.network(network_id)
    ranges = [network_of(c) for c in network_ranges(ctx, network)] if network else []
    if dest is None or not ranges:
        return True
    return any(r is not None and r.version == dest.version and r.overlaps(dest) for r in ranges)


@check(CheckMeta(
    id="SEG304",
    name="flat-network",
    title="Flat network: zones share a subnet, a network has one subnet, or the default network holds workloads",
    severity="medium",
    rationale=(
        f"{SEEDS_ZONES}, 'Problem': \"A flat network where every host can reach every other host is "
        "not a network topology — it is a lateral movement runway\", and 'VPC and Subnet Layout': "
        "\"Within the production VPC, implement separate subnets per zone.\" Workloads of different "
        "zones in one subnet share its routes and subnet-level controls, a network with a single "
        "subnet has no zone boundary to enforce, and the default VPC or network was built for "
        "convenience, not segmentation."
    ),
    remediation=(
        "Give every zone its own subnets (public, application, data, management), each with its "
        "own route table and subnet-level controls, and move workloads into the subnet of their "
        "zone. Build custom networks instead of using the default VPC (AWS), the default network "
        "(GCP) or one catch-all VNet subnet (Azure)."
    ),
    fix_example=(
        'resource "aws_subnet" "data" {\n'
        "  vpc_id     = aws_vpc.prod.id\n"
        '  cidr_block = "10.0.32.0/20"\n'
        '  tags       = { Name = "data", Zone = "data" }\n'
        "}\n"
        'resource "aws_route_table_association" "data" {\n'
        "  subnet_id      = aws_subnet.data.id\n"
        "  route_table_id = aws_route_table.data.id  # local routes only\n"
        "}"
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html",
        "https://cloud.google.com/vpc/docs/vpc#default-network",
        "https://learn.microsoft.com/azure/architecture/networking/guide/network-level-segmentation",
    ),
    tags=("flat-network", "zones", "topology"),
))
def flat_network(ctx: AuditContext) -> Iterator[Result]:
    index, zones = ctx.index, ctx.zones
    for subnet in ctx.snapshot.subnets:
        placed: dict[str, list[str]] = defaultdict(list)
        for wl in index.workloads_of.get(fold(subnet.id), ()):
            zone = zones.workload_zone(wl.id)
            if zone:
                placed[zone].append(wl.id)
        if len(placed) > 1:
            names = sorted(placed)
            yield Result(
                subnet,
                f"Subnet {resource_label(subnet)} holds workloads of zones {', '.join(names)}: they share one "
                "segment, its routes and its subnet controls, so no boundary separates them.",
                evidence=tuple(f"zone {z}: {', '.join(sorted(ids)[:5])}{' ...' if len(ids) > 5 else ''}"
                               for z, ids in sorted(placed.items())),
                zones=tuple(names),
                key="zones-share-subnet",
            )
    for network in ctx.snapshot.networks:
        held = index.workloads_in_network.get(fold(network.id), [])
        if not held:
            continue
        subnets = index.subnets_of.get(fold(network.id), [])
        held_zones = {zones.workload_zone(w.id) for w in held}
        one_zone = len(held_zones) == 1 and None not in held_zones  # a network per zone is segmentation
        if len(subnets) == 1 and not one_zone:
            yield Result(
                network,
                f"Network {resource_label(network)} puts its {len(held)} workload{'s' if len(held) != 1 else ''} in "
                f"a single subnet {resource_label(subnets[0])}: there is no zone boundary inside it.",
                evidence=(f"only subnet: {subnets[0].id}",),
                key="single-subnet",
            )
        if network.is_default:
            yield Result(
                network,
                f"Default network {resource_label(network)} holds {len(held)} workload{'s' if len(held) != 1 else ''}: "
                "it was laid out by the platform, every subnet routes to every other.",
                evidence=tuple(f"workload {w.id}" for w in held[:10]),
                key="default-network",
            )
