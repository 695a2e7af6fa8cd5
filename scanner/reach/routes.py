"""Which source classes have a usable route to a destination and back, as bitsets.

Routing is decided per route, not per pair. Every route a subnet's tables hold is filed
under its destination prefix with the set of classes that use it; a destination address
then meets only the prefixes that contain it, longest first, and each route's verdict
(Routing.usable) is asked once per route, network and availability zone. The way back
is computed once per destination route context (subnet and tags) over every source
class: the classes inside each of its prefixes are one bisection away.

Sources arrive grouped by the appliances on their path (an appliance's rules are one
more enforcement point), () for a path through none.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner.index import fold
from scanner.reach.pair import Class, PairFlow
from scanner.reach.space import Space, lowest
from scanner.routing import CARRIERS, Hop

DEAD = ("dead",)
LOCAL = ("local",)  # delivered by a network's own local route
Appliances = tuple  # gateway ids of the appliances on a path, sorted


class RouteBits:
    def __init__(self, engine: PairFlow, space: Space) -> None:
        self.engine, self.space, self.routing = engine, space, engine.routing
        self.holders: dict[tuple, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
        self.holders_all: dict[tuple, int] = defaultdict(int)
        self.info: dict[tuple, tuple[Hop, Any]] = {}
        self.lengths: dict[int, list[int]] = defaultdict(list)  # version -> prefix lengths, longest first
        self.context_of: list[tuple | None] = []
        self._back: dict[tuple, dict[Appliances, int]] = {}
        self._verdicts: dict[tuple, bool] = {}
        self._candidates: dict[str, int] = {}
        self._subnet_bits: dict[str, list[int]] = {}
        self.appliance_rules: dict[str, list] = {}  # gateway id -> the policies it enforces
        self._forwards: dict[tuple, dict[Appliances, int]] = {}
        self._back_parts: dict[tuple, list[tuple[Appliances, int]]] = {}
        named: dict[str, frozenset] = {}  # subnet -> the instance tags its routes name
        contexts: dict[tuple, int] = defaultdict(int)
        for i, c in enumerate(space.classes):
            subnet = engine.index.subnet(c.rep.subnet_id)
            key = None
            if subnet is not None and c.subject.addresses:
                sid = fold(subnet.id)
                tags = named.get(sid)
                if tags is None:
                    tags = named[sid] = frozenset(t for _n, _p, r, _t in self.routing._entries(subnet)
                                                  for t in r.instance_tags)
                # Only the tags a route names tell a subnet's route contexts apart: one
                # context per subnet, not per set of network tags (GCP).
                key = (sid, c.subject.tags & tags)
            self.context_of.append(key)
            if key is not None:
                contexts[key] |= 1 << i
        self.entries: dict[tuple, list[tuple[Any, Any, Hop, tuple]]] = {}
        seen_lengths: set[tuple[int, int]] = set()
        for key, bits in contexts.items():
            subnet = engine.index.subnet(key[0])
            entries = self.entries[key] = self._winners(subnet, key[1])
            for n, prefix, hop, group in entries:
                self.holders[prefix][group] |= bits
                self.holders_all[prefix] |= bits
                seen_lengths.add((n.version, n.prefixlen))
        for version, length in sorted(seen_lengths, key=lambda v: -v[1]):
            self.lengths[version].append(length)

    def _winners(self, subnet: Any, tags: frozenset) -> list[tuple[Any, tuple, Hop, tuple]]:
        """The route that wins for each prefix in a subnet's tables (first in lookup
        order, instance tags honoured), with the group its verdict is shared by."""
        out, seen = [], set()
        for n, _prio, route, table_id in self.routing._entries(subnet):
            if route.instance_tags and not set(route.instance_tags) & tags:
                continue
            prefix = (n.version, n.prefixlen, int(n.network_address))
            if prefix in seen:
                continue
            seen.add(prefix)
            hop = Hop(route, table_id, str(n))
            kind = route.target_kind
            if not route.active or kind not in CARRIERS:
                group = DEAD
            else:
                group = (kind, fold(route.target_id), *self.routing.carrier_key(hop, subnet),
                         id(route) if kind == "appliance" else 0)
                self.info.setdefault(group, (hop, subnet))
            out.append((n, prefix, hop, group))
        return out

    # -- towards a destination -----------------------------------------------------------
    def into(self, d: int) -> dict[Appliances, int]:
        """Source classes with a usable path to class `d` and back, by appliances on it."""
        sp, dst = self.space, self.space.classes[d]
        found: dict[Appliances, int] = defaultdict(int)
        network = fold(dst.rep.network_id)
        ctx = self.context_of[d]
        if ctx is not None:
            cand = self._candidate_bits(network)
            forward = self._forward(dst, cand)
            if forward:
                back = self.back(ctx, cand)
                for fa, fbits in forward.items():
                    for ba, bbits in back.items():
                        both = fbits & bbits
                        if both:
                            # Inside one network the way there decides: an appliance
                            # on the way back alone is not on the flow's path.
                            found[() if fa is LOCAL else _joined(fa, ba)] |= both
        if self.routing.flat(dst.rep.network_id):
            # inside a pod network nothing routes: the flat path is the only one
            flat = sp.by_network[network]
            found = {k: (v if k == () else v & ~flat) for k, v in found.items()}
            found[()] = found.get((), 0) | flat
        if len(dst.members) == 1:
            mine = ~(1 << d)
            found = {k: v & mine for k, v in found.items()}
        return {k: v for k, v in found.items() if v}

    def _candidate_bits(self, network: str) -> int:
        found = self._candidates.get(network)
        if found is None:
            found = 0
            for n in self.engine.candidate_networks(network):
                found |= self.space.by_network.get(n, 0)
            self._candidates[network] = found
        return found

    def _forward(self, dst: Class, cand: int) -> dict[Appliances, int]:
        """Sources whose own route to the destination's address delivers it: decided once
        per destination subnet and set of route prefixes holding the address, since a
        route group's verdict is the same for every class of a destination subnet."""
        addr = dst.subject.addresses[0]
        ai, width = int(addr), addr.max_prefixlen
        prefixes = []
        for length in self.lengths[addr.version]:
            prefix = (addr.version, length, (ai >> (width - length)) << (width - length) if length else 0)
            if prefix in self.holders:
                prefixes.append(prefix)
        key = (fold(dst.rep.network_id), fold(dst.rep.subnet_id), tuple(prefixes))
        found = self._forwards.get(key)
        if found is None:
            found = self._forwards[key] = self._forward_through(dst, addr, prefixes, cand)
        return found

    def _forward_through(self, dst: Class, addr: Any, prefixes: list[tuple], cand: int) -> dict[Appliances, int]:
        remaining, out = cand, defaultdict(int)
        for prefix in prefixes:
            holders = self.holders[prefix]
            if not self.holders_all[prefix] & remaining:
                continue
            for group, bits in holders.items():
                if group is DEAD:
                    continue
                hit = bits & remaining
                if hit:
                    ok, appliances = self._verdict(group, dst.rep.network_id, dst.rep.subnet_id, addr)
                    if ok:
                        out[LOCAL if group[0] == "local" else appliances] |= hit
            remaining &= ~self.holders_all[prefix]
            if not remaining:
                break
        return out

    def back(self, ctx: tuple, cand: int) -> dict[Appliances, int]:
        """Source classes the destination's context routes back to, by appliances."""
        key = (ctx, cand)
        found = self._back.get(key)
        if found is not None:
            return found
        sp, out, done = self.space, defaultdict(int), 0
        here = self.engine.index.subnet(ctx[0])
        for n, _prefix, _hop, group in self.entries[ctx]:
            inside = sp.in_net(n)
            todo = inside & cand & ~done
            done |= inside
            if not todo or group is DEAD:
                continue
            for appliances, bits in self._back_through(group, todo, here):
                out[appliances] |= bits
        self._back[key] = found = {k: v for k, v in out.items() if v}
        return found

    def _back_through(self, group: tuple, todo: int, here: Any) -> list[tuple[Appliances, int]]:
        """The classes of `todo` one route group delivers to, by appliances: the same for
        every context whose tables share the route (the subnets of a spoke behind one UDR)."""
        key = (group, todo)
        found = self._back_parts.get(key)
        if found is not None:
            return found
        sp, found = self.space, []
        for network in self._networks(todo, group, here):
            per_network = todo & sp.by_network[network]
            # local and peering verdicts hang on the network alone; hubs and boxes on the subnet
            parts = [per_network] if group[0] in ("local", "peering") else self._subnets(per_network, network)
            for subnet_bits in parts:
                first = sp.classes[lowest(subnet_bits)]
                ok, appliances = self._verdict(group, first.rep.network_id, first.rep.subnet_id,
                                               first.subject.addresses[0])
                if ok:
                    found.append((appliances, subnet_bits))
        self._back_parts[key] = found
        return found

    def _networks(self, bits: int, group: tuple, here: Any) -> list[str]:
        """The networks whose classes `bits` holds; local routes only reach their own."""
        if group[0] == "local":
            return [fold(here.network_id)] if bits & self.space.by_network[fold(here.network_id)] else []
        if group[0] == "peering":
            peers = {fold(p.peer_network_id) for p in self.engine.index.peerings_of.get(fold(here.network_id), ())}
            return [n for n in sorted(peers) if bits & self.space.by_network.get(n, 0)]
        return [n for n, nb in self.space.by_network.items() if bits & nb]

    def _subnets(self, bits: int, network: str) -> list[int]:
        out = []
        found = self._subnet_bits.get(network)
        if found is None:
            found = self._subnet_bits[network] = [b for b in (self.space.by_subnet.get(fold(s.id), 0)
                                                              for s in self.engine.index.subnets_of.get(network, ())) if b]
        for subnet_bits in found:
            x = bits & subnet_bits
            if x:
                out.append(x)
                bits &= ~x
        if bits:
            out.append(bits)  # classes whose subnet is unknown to the index
        return out

    def _verdict(self, group: tuple, there_network: str, there_subnet: str, there_address: Any
                 ) -> tuple[bool, Appliances]:
        """Whether a route group delivers to the destination, and the appliances on the way
        (the route's own appliance, or those a hub's packets pass in an inspection VPC)."""
        kind = group[0]
        key = (group, fold(there_network)) if kind in ("local", "peering") else (group, fold(there_network), fold(there_subnet))
        found = self._verdicts.get(key)
        if found is None:
            hop, subnet = self.info[group]
            ok = self.routing.usable(hop, subnet, there_network, there_address)
            appliances: Appliances = ()
            if ok and kind == "appliance":
                gateway, policies = self.engine.appliance_policies(hop.route, subnet.network_id)
                self.appliance_rules[gateway] = policies
                appliances = (gateway,)
            elif ok and kind == "transit":
                for gateway_id in self.routing.transit_appliances(hop, subnet, there_network, there_address):
                    gateway, policies = self.engine.inspection_policies(gateway_id)
                    self.appliance_rules[gateway] = policies
                    appliances = tuple(sorted({*appliances, gateway}))
            found = self._verdicts[key] = (ok, appliances)
        return found


def _joined(a: Appliances, b: Appliances) -> Appliances:
    if not a:
        return b
    if not b or a == b:
        return a
    return tuple(sorted({*a, *b}))
