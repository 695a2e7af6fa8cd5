"""Which zone every subnet and workload belongs to, and why.

With a policy file, its selectors decide (first zone in file order whose selector
matches); `namespace` and `labels` select Kubernetes namespaces and pods. Without one, zones are inferred from tags (Zone, Tier, segaudit:zone, any
case), then names, then routes (a default route to an internet gateway makes a subnet
dmz). A workload takes its own selector or tag first, else its subnet's zone. Resources
nothing places stay unzoned and are reported, never dropped.
"""
from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from scanner.index import Index, fold
from scanner.model import Subnet, Workload
from scanner.zonepolicy import ZonePolicy

ZONE_TAG_KEYS = ("zone", "tier", "segaudit:zone")
SYNONYMS = {
    "dmz": ("dmz", "public", "web", "edge", "frontend", "ingress", "perimeter", "lb", "alb", "elb"),
    "internal": ("internal", "app", "application", "private", "backend", "service", "services", "api"),
    "data": ("data", "db", "database", "databases", "storage", "store", "persistence", "rds", "sql", "cache"),
    "management": ("management", "mgmt", "admin", "bastion", "ops", "jump", "monitoring", "paw"),
}
_WORD = {word: zone for zone, words in SYNONYMS.items() for word in words}


@dataclass(frozen=True, slots=True)
class Assignment:
    zone: str
    reason: str


def _tag_zone(tags: Any, names: tuple[str, ...]) -> Assignment | None:
    for key, value in sorted(tags.items()):
        if key.lower() in ZONE_TAG_KEYS:
            value_l = value.strip().lower()
            zone = value_l if value_l in names else _WORD.get(value_l)
            if zone in names:
                return Assignment(zone, f"tag {key}={value}")
    return None


def _name_zone(name: str, names: tuple[str, ...]) -> Assignment | None:
    for token in re.split(r"[^a-z0-9]+", name.lower()):
        zone = token if token in names else _WORD.get(token)
        if zone in names:
            return Assignment(zone, f"name {name!r} contains {token!r}")
    return None


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


class ZoneMap:
    def __init__(self, index: Index, policy: ZonePolicy, inferred: bool) -> None:
        self.index, self.policy, self.inferred = index, policy, inferred
        self._names = policy.names
        self._subnets: dict[str, Assignment] = {}
        self._workloads: dict[str, Assignment] = {}
        for subnet in index.snapshot.subnets:
            found = self._place_subnet(subnet)
            if found:
                self._subnets[fold(subnet.id)] = found
        for wl in index.snapshot.workloads:
            found = self._place_workload(wl)
            if found:
                self._workloads[fold(wl.id)] = found
        self._external: dict[str, tuple[str, ...]] | None = None

    # -- placement -------------------------------------------------------------
    def _place_subnet(self, subnet: Subnet) -> Assignment | None:
        if not self.inferred:
            return self._select(subnet, [ipaddress.ip_network(c, strict=False) for c in subnet.cidrs])
        return (_tag_zone(subnet.tags, self._names) or _name_zone(subnet.name, self._names)
                or self._route_zone(subnet))

    def _route_zone(self, subnet: Subnet) -> Assignment | None:
        if "dmz" not in self._names:
            return None
        for table in self.index.route_tables_for(subnet):
            for route in table.routes:
                if route.active and route.target_kind == "internet" and route.destination in ("0.0.0.0/0", "::/0"):
                    gw = self.index.gateways.get(fold(route.target_id))
                    if route.origin != "system" and (gw is None or gw.requires_public_address):
                        return Assignment("dmz", f"default route to internet gateway {route.target_id} in {table.id}")
        return None

    def _place_workload(self, wl: Workload) -> Assignment | None:
        if not self.inferred:
            own = self._select(wl, [ipaddress.ip_network(ip) for ip in wl.private_ips])
        else:
            own = _tag_zone(wl.tags, self._names)
        if own:
            return own
        via = self._subnets.get(fold(wl.subnet_id))
        return Assignment(via.zone, f"in subnet {wl.subnet_id} ({via.reason})") if via else None

    def _namespace(self, obj: Any, network: Any) -> str:
        """The Kubernetes namespace of a subnet or workload of a pod network, else ""."""
        if network is None or not network.flat:
            return ""
        subnet = obj if isinstance(obj, Subnet) else self.index.subnet(obj.subnet_id)
        return subnet.name if subnet is not None else ""

    def _select(self, obj: Any, nets: list[Any]) -> Assignment | None:
        network = self.index.network(obj.network_id)
        namespace = self._namespace(obj, network)
        for zone in self.policy.zones:
            for i, sel in enumerate(zone.selectors):
                if self._matches(sel, obj, nets, network, namespace):
                    return Assignment(zone.name, f"{self.policy.source}: zone {zone.name} match[{i}]")
        return None

    @staticmethod
    def _matches(sel: dict[str, Any], obj: Any, nets: list[Any], network: Any, namespace: str = "") -> bool:
        for key, want in sel.items():
            if key in ("tags", "labels"):  # labels: the Kubernetes word for the same thing
                lowered = {k.lower(): v for k, v in obj.tags.items()}
                if not all(k.lower() in lowered and _glob(v, lowered[k.lower()]) for k, v in want.items()):
                    return False
            elif key == "name":
                name = obj.name or getattr(obj, "owner_name", "")
                if not _glob(want, name):
                    return False
            elif key == "id":
                if not _glob(want, obj.id):
                    return False
            elif key == "cidr":
                wanted = ipaddress.ip_network(want, strict=False)
                if not any(n.version == wanted.version and n.subnet_of(wanted) for n in nets):
                    return False
            elif key == "network":
                if not (_glob(want, obj.network_id) or (network is not None and _glob(want, network.name))):
                    return False
            elif key == "namespace":
                if not (namespace and _glob(want, namespace)):
                    return False
            elif key in ("provider", "account"):
                if getattr(obj, key) != want:
                    return False
        return bool(sel)

    # -- queries ---------------------------------------------------------------
    def external_zones(self) -> dict[str, tuple[str, ...]]:
        """Zones of external address ranges (ZonePolicy.external_zones) that place no
        subnet and no workload of this snapshot: sources outside the estate."""
        if self._external is None:
            used = {a.zone for a in (*self._subnets.values(), *self._workloads.values())}
            self._external = {name: cidrs for name, cidrs in self.policy.external_zones().items()
                              if name not in used}
        return self._external

    def subnet_zone(self, subnet_id: str) -> str | None:
        found = self._subnets.get(fold(subnet_id))
        return found.zone if found else None

    def workload_zone(self, workload_id: str) -> str | None:
        found = self._workloads.get(fold(workload_id))
        return found.zone if found else None

    def reason(self, resource_id: str) -> str:
        found = self._subnets.get(fold(resource_id)) or self._workloads.get(fold(resource_id))
        return found.reason if found else "no selector, tag, name or route places it"

    def unzoned_subnets(self) -> list[Subnet]:
        return [s for s in self.index.snapshot.subnets if fold(s.id) not in self._subnets]

    def unzoned_workloads(self) -> list[Workload]:
        return [w for w in self.index.snapshot.workloads if fold(w.id) not in self._workloads]

    def summary(self) -> tuple[dict[str, Any], ...]:
        """Per zone: name, trust, description, subnet ids, workload count (for reports)."""
        subnets: dict[str, list[str]] = {z: [] for z in self._names}
        workloads: dict[str, int] = {z: 0 for z in self._names}
        for sid, a in self._subnets.items():
            subnets[a.zone].append(self.index.subnets[sid].id)
        for a in self._workloads.values():
            workloads[a.zone] += 1
        return tuple(
            {"name": z.name, "trust": z.trust, "description": z.description,
             "subnets": sorted(subnets[z.name]), "workloads": workloads[z.name]}
            for z in self.policy.zones
        )
