"""What a user means by SRC or DST: a workload, an instance or VM (its interfaces), an
address, a subnet (its workloads), a zone, `internet`, or a selector of the zone policy's
kind ({zone: ...}, {tags: {...}}, {cidr: ...}, {id|name|network: ...})."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.index import fold
from scanner.model import Workload
from scanner.zonepolicy import INTERNET
from scanner.zones import ZoneMap

PUBLIC_ADDRESS = "public address"
SELECTOR_KEYS = ("zone", "tags", "cidr", "id", "name", "network", "subnet", "provider", "account")


@dataclass(frozen=True, slots=True)
class Endpoint:
    text: str  # what the user wrote, as written back in answers
    how: str  # how it was resolved: "workload", "instance", "zone data", ...
    workloads: tuple[Workload, ...] = ()
    internet: bool = False


def describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(spec.items()))
    return str(spec)


def resolve(ctx: AuditContext, spec: Any, option: str = "endpoint") -> Endpoint:
    """The workloads (or the internet) `spec` names; InputError when it names nothing."""
    if isinstance(spec, dict):
        return _selector(ctx, spec, option)
    text = str(spec).strip()
    if fold(text) == INTERNET:
        return Endpoint(text, "internet", internet=True)
    if text in ctx.policy.names:
        return Endpoint(text, f"zone {text}", _in_zone(ctx, text))
    wl = ctx.index.workloads.get(fold(text))
    if wl is not None:
        return Endpoint(text, "workload", (wl,))
    if ctx.index.subnet(text) is not None:
        return Endpoint(text, "subnet", tuple(ctx.index.workloads_of.get(fold(text), ())))
    owned = tuple(w for w in ctx.snapshot.workloads
                  if text in (w.owner_id, w.owner_name, w.name) or fold(text) == fold(w.owner_id or "\0"))
    if owned:
        return Endpoint(text, "instance", owned)
    if "/" in text:
        # namespace/name: a pod or controller of a Kubernetes namespace (ids are cluster/namespace/name)
        tail = "/" + fold(text)
        in_namespace = tuple(w for w in ctx.snapshot.workloads if fold(w.id).endswith(tail))
        if in_namespace:
            return Endpoint(text, "workload", in_namespace)
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise InputError(f"{option}: {text!r} is not a workload, instance, address, subnet, zone or 'internet'") from None
    found = tuple(w for w in ctx.snapshot.workloads
                  if any(ipaddress.ip_address(a) == addr for a in (*w.private_ips, *w.public_ips)))
    if found:
        public = any(ipaddress.ip_address(a) == addr for w in found for a in w.public_ips)
        # a public address is reached over the internet, whoever asks
        return Endpoint(text, PUBLIC_ADDRESS if public else "address", found)
    if addr.is_global:
        return Endpoint(text, "public address outside the snapshot: the internet", internet=True)
    raise InputError(f"{option}: no workload in the snapshot has address {text}")


def _in_zone(ctx: AuditContext, zone: str) -> tuple[Workload, ...]:
    return tuple(w for w in ctx.snapshot.workloads if ctx.zones.workload_zone(w.id) == zone)


@lru_cache(maxsize=None)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address or range as a network, parsed once: selectors test every workload."""
    return ipaddress.ip_network(text, strict=False)


def _selector(ctx: AuditContext, spec: dict, option: str) -> Endpoint:
    unknown = sorted(set(spec) - set(SELECTOR_KEYS))
    if unknown or not spec:
        raise InputError(f"{option}: selector keys are {', '.join(SELECTOR_KEYS)}; got {unknown or 'none'}")
    rest = {k: v for k, v in spec.items() if k not in ("zone", "subnet")}
    zone, subnet = spec.get("zone"), spec.get("subnet")
    if zone is not None and zone not in ctx.policy.names:
        raise InputError(f"{option}: unknown zone {zone!r}")
    if zone == INTERNET:
        return Endpoint(describe(spec), "internet", internet=True)
    cidr = "cidr" in rest  # addresses are parsed only for a range to test them against
    on_subnet: dict[str, bool] = {}  # a subnet's verdict holds for all its workloads
    found = []
    for w in ctx.snapshot.workloads:
        if zone is not None and ctx.zones.workload_zone(w.id) != zone:
            continue
        if subnet is not None and fold(w.subnet_id) != fold(subnet):
            continue
        # the zone policy's own selector semantics (tags, names, ids, ranges, networks), on
        # the workload or on its subnet, as zones place a workload by its subnet
        if rest:
            network = ctx.index.network(w.network_id)
            nets = [_network(ip) for ip in w.private_ips] if cidr else []
            if not ZoneMap._matches(rest, w, nets, network):
                key = fold(w.subnet_id)
                if key not in on_subnet:
                    sub = ctx.index.subnet(w.subnet_id)
                    on_subnet[key] = sub is not None and ZoneMap._matches(
                        rest, sub, [_network(c) for c in sub.cidrs] if cidr else [], network)
                if not on_subnet[key]:
                    continue
        found.append(w)
    return Endpoint(describe(spec), "selector", tuple(found))
