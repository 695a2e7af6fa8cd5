"""The cloud-neutral picture of one or more accounts.

Everything a provider collects lands in these frozen dataclasses.  Where AWS, GCP and
Azure evaluate traffic differently, the difference is *data* on the objects (a policy's
`stateful`, `evaluation`, `chain_order`; a gateway's `requires_public_address`; system
routes written out as routes) so that zones, reachability and checks never branch on the
provider.

Where a policy applies is said by who lists it: `Network.policy_ids` (GCP VPC firewall
rules, network and hierarchical firewall policies), `Subnet.policy_ids` (AWS network
ACLs, Azure subnet NSGs) and `Workload.policy_ids` (AWS security groups, Azure NIC NSGs).
Each of those three is one enforcement point; traffic must pass all of them.
`Gateway.policy_ids` (an appliance's own rules, Azure Firewall) is one more, for flows
whose route goes through that appliance.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, Mapping

Cidr = Annotated[str, "cidr"]
Address = Annotated[str, "ip-address"]
Provider = Literal["aws", "gcp", "azure", "kubernetes"]
frozen = dataclass(frozen=True, slots=True, kw_only=True)


@frozen
class Resource:
    """Identity every collected object carries."""

    provider: Provider
    account: str  # AWS account id, GCP project id, Azure subscription id
    region: str  # AWS region, GCP region or "global", Azure location
    id: str  # the native id: sg-..., a GCP resource path, an ARM id
    name: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)  # tags / labels


@frozen
class Account:
    provider: Provider
    id: str
    name: str = ""


@frozen
class Network(Resource):
    """AWS VPC, GCP VPC network, Azure VNet."""

    cidrs: tuple[Cidr, ...] = ()  # address space; empty for GCP (subnets carry it)
    is_default: bool = False  # AWS default VPC, GCP network "default"
    policy_ids: tuple[str, ...] = ()  # network-wide firewall policies
    subnet_mode: Literal["", "auto", "custom", "legacy"] = ""  # GCP network mode; "" elsewhere
    routing_mode: Literal["", "regional", "global"] = ""  # GCP dynamic routing mode; "" elsewhere
    # Every workload reaches every other without routes or addresses (a Kubernetes
    # cluster's pod network); policies still decide.
    flat: bool = False
    # Whether the network's policies are enforced by something on it (a Kubernetes CNI
    # that implements NetworkPolicy): "enforced", "not-enforced", "unknown" (a manifest-
    # only snapshot cannot tell), "" where the question does not arise (cloud networks).
    policy_enforcement: Literal["", "enforced", "not-enforced", "unknown"] = ""


# Workload.selectors entry marking the cluster's DNS servers (the pods behind kube-dns).
CLUSTER_DNS_SELECTOR = "cluster-dns"


@frozen
class Subnet(Resource):
    network_id: str
    cidrs: tuple[Cidr, ...]
    route_table_ids: tuple[str, ...] = ()  # every table whose routes apply here
    policy_ids: tuple[str, ...] = ()  # subnet-attached ACL / NSG
    assigns_public_ips: bool = False  # AWS map-public-ip-on-launch
    purpose: str = ""  # GCP purpose / Azure delegation, informational
    # Reaches the provider's own services without a public address (GCP Private Google Access)
    private_service_access: bool = False
    # AWS Availability Zone (a transit gateway attachment carries traffic only from the
    # zones it has a subnet in); "" = unknown or not zonal: nothing is restricted by it.
    availability_zone: str = ""


RouteTarget = Literal[
    "local",  # inside the network
    "internet",  # internet gateway / GCP default-internet-gateway / Azure Internet
    "nat",  # NAT gateway
    "egress-only",  # IPv6 egress-only internet gateway
    "peering",  # network peering
    "transit",  # transit gateway / hub
    "endpoint",  # private service endpoint
    "appliance",  # instance, interface, IP or virtual appliance next hop
    "vpn",  # VPN, virtual network gateway, on-premises
    "none",  # blackhole / Azure next hop None
]


@frozen
class Route:
    destination: Cidr | None = None
    destination_prefix_list: str = ""  # AWS managed prefix list instead of a CIDR
    target_kind: RouteTarget
    target_id: str = ""
    # Longest prefix wins first; among equal prefixes the lowest priority value wins.
    # GCP carries its route priority; Azure's normalizer ranks user routes before
    # system routes; AWS routes all have 0.
    priority: int = 0
    instance_tags: tuple[str, ...] = ()  # GCP: route applies only to tagged instances
    origin: Literal["user", "system", "propagated"] = "user"
    active: bool = True  # False for blackhole / inactive routes


@frozen
class RouteTable(Resource):
    network_id: str
    routes: tuple[Route, ...] = ()
    is_main: bool = False  # AWS main route table


GatewayKind = Literal["internet", "nat", "egress-only", "vpn", "transit", "endpoint", "appliance"]


@frozen
class Gateway(Resource):
    kind: GatewayKind
    network_id: str = ""
    subnet_id: str = ""  # where it sits (AWS NAT gateway subnet)
    public: bool = True  # NAT with public connectivity, internet-facing appliance
    # Internet egress through this gateway only for workloads with a public address
    # (AWS IGW, GCP default internet gateway); Azure default outbound has False.
    requires_public_address: bool = False
    nat_subnet_ids: tuple[str, ...] = ()  # subnets NATed without a route (GCP Cloud NAT, Azure NAT GW)
    service: str = ""  # endpoint service name
    private_ips: tuple[Address, ...] = ()  # appliance addresses
    # Policies an appliance enforces on the traffic it forwards (Azure Firewall rule
    # collections): one more enforcement point for flows routed through it.
    policy_ids: tuple[str, ...] = ()
    # Address ranges behind a `vpn` gateway (on-premises: VPN static routes); empty when
    # they are learned by BGP and not in the configuration.
    remote_cidrs: tuple[Cidr, ...] = ()
    # What the on-premises side of a `vpn` gateway is told it reaches here (AWS Direct
    # Connect: the VPC CIDRs the gateway association's allowed prefixes let through; GCP
    # Cloud Router advertised ranges would map here): on-premises sends only to addresses
    # inside them. None: not restricted (a VPN connection, or not known); () nothing.
    advertised_cidrs: tuple[Cidr, ...] | None = None


@frozen
class Hub(Resource):
    """A routing hub between networks with its own route tables: AWS transit gateway
    (GCP Network Connectivity Center hub, Azure Virtual WAN hub map here: docs/model.md)."""

    default_route_table_id: str = ""  # where new attachments associate (informational)


HubAttachmentKind = Literal["network", "peering", "vpn", "direct-connect", "other"]


@frozen
class HubAttachment(Resource):
    """One thing attached to a hub. A packet arriving at the hub from it is looked up in
    `route_table_id` only; a hub route naming it (by `id`, or `name` for a peering side)
    sends the packet out through it."""

    hub_id: str
    kind: HubAttachmentKind
    network_id: str = ""  # kind network: the attached network
    subnet_ids: tuple[str, ...] = ()  # kind network: the subnets its interfaces sit in
    # Availability Zones of those subnets: only subnets in these zones reach the hub
    # through it. Empty: unknown, nothing is restricted.
    availability_zones: tuple[str, ...] = ()
    appliance_mode: bool = False  # AWS appliance mode (flow symmetry), informational
    route_table_id: str = ""  # the associated hub route table; "" = none: arriving traffic is dropped
    peer_hub_id: str = ""  # kind peering: the hub at the other end
    peer_account: str = ""
    peer_region: str = ""
    remote_cidrs: tuple[Cidr, ...] = ()  # kind vpn / direct-connect: on-premises ranges (static routes)
    # kind vpn / direct-connect: what on-premises is told it reaches through the hub (AWS
    # Direct Connect gateway association allowed prefixes); it sends only to addresses
    # inside them. None: not restricted (VPN, or not known); (): nothing (no attached
    # virtual interface: no on-premises side).
    advertised_cidrs: tuple[Cidr, ...] | None = None
    state: Literal["active", "pending", "inactive", "deleted"] = "active"


@frozen
class HubRouteTable(Resource):
    """A hub's route table. Routes target attachments (`target_kind: transit`, `target_id`
    the attachment's id as the hub names it; `origin: user` static, `propagated`;
    `active: false` blackhole). Longest prefix wins, then static over propagated
    (static routes carry priority 0, propagated 1)."""

    hub_id: str
    routes: tuple[Route, ...] = ()
    propagating_attachment_ids: tuple[str, ...] = ()  # informational: where propagated routes come from


@frozen
class Peering(Resource):
    """One side of a network peering, as seen from `network_id`."""

    network_id: str
    peer_network_id: str
    peer_account: str = ""
    peer_region: str = ""
    state: Literal["active", "pending", "inactive", "failed", "deleted"] = "active"
    # "explicit": traffic needs routes pointing at the peering on both sides (AWS);
    # "automatic": subnet routes are exchanged by the platform (GCP, Azure).
    route_exchange: Literal["explicit", "automatic"] = "explicit"
    forwarded_traffic: bool = False  # Azure allowForwardedTraffic / GCP custom route exchange


@frozen
class PrefixList(Resource):
    cidrs: tuple[Cidr, ...] = ()


PeerKind = Literal[
    "any",  # every address
    "internet",  # every public address: outside the private ranges (Azure "Internet" tag)
    "cidr",  # an address range (v4 or v6)
    "group",  # AWS security-group reference: interfaces that carry that group
    "prefix-list",  # AWS managed prefix list
    "tag",  # GCP network tag
    "service-account",  # GCP service account
    "service-tag",  # Azure service tag (resolved ranges in `cidrs`)
    "app-group",  # Azure application security group
    "selector",  # a label selector (Kubernetes), resolved at collection into Workload.selectors
]


@frozen
class Peer:
    kind: PeerKind
    value: str = ""
    account: str = ""  # owner of a referenced group in another account
    cidrs: tuple[Cidr, ...] = ()  # the ranges a service tag stands for


@frozen
class PortRange:
    first: int
    last: int


@frozen
class Rule:
    id: str
    name: str = ""
    direction: Literal["ingress", "egress"]
    action: Literal["allow", "deny", "next"] = "allow"  # "next": GCP goto_next
    priority: int = 0  # lower first; 0 everywhere for union policies
    protocol: str = "all"  # all, tcp, udp, icmp, icmpv6, or an IANA number
    ports: tuple[PortRange, ...] = ()  # destination ports; empty means all
    # The far side of the flow: sources of ingress, destinations of egress.
    peers: tuple[Peer, ...]
    # Which attached workloads the rule is about (GCP target tags / service accounts,
    # Azure destination of inbound / source of outbound); empty means all of them.
    targets: tuple[Peer, ...] = ()
    enabled: bool = True
    platform_default: bool = False  # put there by the platform, not by a user
    description: str = ""


PolicyKind = Literal[
    "security-group",
    "network-acl",
    "vpc-firewall",
    "network-firewall-policy",
    "hierarchical-firewall-policy",
    "nsg",
    "listener",  # the ports a load balancer's frontend forwards (GCP forwarding rules)
    "appliance-firewall",  # rules of a firewall appliance on the path (Azure Firewall)
    "network-policy",  # Kubernetes NetworkPolicy
]


@frozen
class FirewallPolicy(Resource):
    kind: PolicyKind
    network_id: str = ""
    stateful: bool = True
    # "union": any allow admits, no deny rules (security groups);
    # "first-match": rules in priority order, the first that matches decides.
    evaluation: Literal["union", "first-match"]
    # Policies of one enforcement point that are first-match are chained by this.
    chain_order: int = 0
    is_default: bool = False  # AWS default security group / default NACL
    rules: tuple[Rule, ...] = ()


OwnerKind = Literal[
    "instance", "load-balancer", "nat", "database", "function", "endpoint",
    "appliance", "container", "other",
]


@frozen
class Workload(Resource):
    """A network interface and what owns it."""

    network_id: str
    subnet_id: str
    private_ips: tuple[Address, ...] = ()
    public_ips: tuple[Address, ...] = ()
    policy_ids: tuple[str, ...] = ()
    network_tags: tuple[str, ...] = ()  # GCP network tags
    service_accounts: tuple[str, ...] = ()  # GCP service accounts
    app_groups: tuple[str, ...] = ()  # Azure application security groups
    selectors: tuple[str, ...] = ()  # ids of the selector peers that select this workload (Kubernetes)
    owner_kind: OwnerKind = "instance"
    owner_id: str = ""
    owner_name: str = ""


@frozen
class FlowLog(Resource):
    target_id: str
    target_kind: Literal["network", "subnet", "interface", "policy"]
    traffic: Literal["all", "accept", "reject"] = "all"
    enabled: bool = True


@frozen
class CollectionError:
    """What a provider could not read: a gap in the snapshot, never silence."""

    provider: Provider
    account: str
    region: str = ""
    service: str = ""
    operation: str = ""
    code: str = ""
    message: str = ""


@frozen
class Snapshot:
    accounts: tuple[Account, ...] = ()
    networks: tuple[Network, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    peerings: tuple[Peering, ...] = ()
    hubs: tuple[Hub, ...] = ()
    hub_attachments: tuple[HubAttachment, ...] = ()
    hub_route_tables: tuple[HubRouteTable, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    policies: tuple[FirewallPolicy, ...] = ()
    workloads: tuple[Workload, ...] = ()
    flow_logs: tuple[FlowLog, ...] = ()
    errors: tuple[CollectionError, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.errors


COLLECTIONS: tuple[str, ...] = tuple(Snapshot.__dataclass_fields__)


def merge(snapshots: list[Snapshot]) -> Snapshot:
    """One snapshot holding several; the same object collected twice is kept once."""
    merged = {}
    for name in COLLECTIONS:
        seen: dict = {}
        for snap in snapshots:
            for item in getattr(snap, name):
                key = item if name == "errors" else (item.provider, getattr(item, "account", ""), item.id)
                seen.setdefault(key, item)
        merged[name] = tuple(seen.values())
    return Snapshot(**merged)
