"""Lookups over a snapshot, built once per audit and shared by every check."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, TypeVar

from scanner.model import (
    FirewallPolicy, FlowLog, Gateway, Network, Peering, PrefixList, Resource, RouteTable,
    Snapshot, Subnet, Workload,
)

T = TypeVar("T", bound=Resource)


def _by_id(items: Iterable[T]) -> dict[str, T]:
    # Azure ARM ids compare case-insensitively; ids are keyed folded everywhere.
    return {fold(item.id): item for item in items}


def fold(resource_id: str) -> str:
    return resource_id.casefold()


class Index:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.networks: dict[str, Network] = _by_id(snapshot.networks)
        self.subnets: dict[str, Subnet] = _by_id(snapshot.subnets)
        self.route_tables: dict[str, RouteTable] = _by_id(snapshot.route_tables)
        self.gateways: dict[str, Gateway] = _by_id(snapshot.gateways)
        self.policies: dict[str, FirewallPolicy] = _by_id(snapshot.policies)
        self.prefix_lists: dict[str, PrefixList] = _by_id(snapshot.prefix_lists)
        self.workloads: dict[str, Workload] = _by_id(snapshot.workloads)
        self.subnets_of: dict[str, list[Subnet]] = defaultdict(list)
        for subnet in snapshot.subnets:
            self.subnets_of[fold(subnet.network_id)].append(subnet)
        self.workloads_of: dict[str, list[Workload]] = defaultdict(list)
        self.workloads_in_network: dict[str, list[Workload]] = defaultdict(list)
        self.workloads_with_policy: dict[str, list[Workload]] = defaultdict(list)
        for wl in snapshot.workloads:
            self.workloads_of[fold(wl.subnet_id)].append(wl)
            self.workloads_in_network[fold(wl.network_id)].append(wl)
            for pid in wl.policy_ids:
                self.workloads_with_policy[fold(pid)].append(wl)
        self.subnets_with_policy: dict[str, list[Subnet]] = defaultdict(list)
        for subnet in snapshot.subnets:
            for pid in subnet.policy_ids:
                self.subnets_with_policy[fold(pid)].append(subnet)
        self.networks_with_policy: dict[str, list[Network]] = defaultdict(list)
        for network in snapshot.networks:
            for pid in network.policy_ids:
                self.networks_with_policy[fold(pid)].append(network)
        self.peerings_of: dict[str, list[Peering]] = defaultdict(list)
        for peering in snapshot.peerings:
            self.peerings_of[fold(peering.network_id)].append(peering)
        self.flow_logs_on: dict[str, list[FlowLog]] = defaultdict(list)
        for log in snapshot.flow_logs:
            self.flow_logs_on[fold(log.target_id)].append(log)

    def network(self, network_id: str) -> Network | None:
        return self.networks.get(fold(network_id))

    def subnet(self, subnet_id: str) -> Subnet | None:
        return self.subnets.get(fold(subnet_id))

    def policy(self, policy_id: str) -> FirewallPolicy | None:
        return self.policies.get(fold(policy_id))

    def policies_by_ids(self, ids: Iterable[str]) -> list[FirewallPolicy]:
        return [p for p in (self.policy(i) for i in ids) if p is not None]

    def route_tables_for(self, subnet: Subnet) -> list[RouteTable]:
        found = (self.route_tables.get(fold(i)) for i in subnet.route_table_ids)
        return [t for t in found if t is not None]
