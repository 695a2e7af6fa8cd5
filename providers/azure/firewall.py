"""Azure Firewall network rules -> one `appliance-firewall` policy per firewall (docs/model.md).

Classic rules live on the firewall (`networkRuleCollections`); a firewall with a Firewall
Policy takes them from the policy's rule collection groups (and its base policy's, which
Azure evaluates first). Only network rules are modelled: application rules (FQDN/URL)
and DNAT rules cannot be evaluated by address. A rule naming IP groups, FQDNs or service
tags is kept disabled with a description saying why: its addresses are unknown here.
Pure: ARM JSON in, model out.
"""
from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any, Iterable, Mapping

from scanner.model import CollectionError, FirewallPolicy, Peer, PortRange, Rule

IMPLICIT_DENY_PRIORITY = 65535
GROUP_PRIORITY_SCALE = 100000
POLICY_LEVEL_SCALE = 10**10  # above any group * 100000 + collection (65000 * 100000 + 65000)
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "any": "all"}


def fold(value: str) -> str:
    return (value or "").casefold()


def props(item: Mapping[str, Any]) -> Mapping[str, Any]:
    return item.get("properties") or {}


def policy_id(firewall_id: str) -> str:
    return f"{firewall_id}/networkRules"


def _addresses(values: Iterable[str]) -> list[str] | None:
    """CIDRs for ARM address strings ("*" -> [] meaning any); None if one is not an address
    (a service tag or anything else only Azure can resolve)."""
    out: list[str] = []
    for raw in values:
        text = str(raw).strip()
        if text == "*":
            return []
        try:
            if "-" in text and "/" not in text:
                first, last = (ipaddress.ip_address(p.strip()) for p in text.split("-", 1))
                out += [str(n) for n in ipaddress.summarize_address_range(first, last)]
            else:
                out.append(str(ipaddress.ip_network(text, strict=False)))
        except (ValueError, TypeError):
            return None
    return out


def _ports(values: Iterable[str]) -> tuple[PortRange, ...] | None:
    ranges = []
    for raw in values:
        text = str(raw).strip()
        if text in ("*", "0-65535", "1-65535"):
            return ()
        first, _, last = text.partition("-")
        try:
            ranges.append(PortRange(first=int(first), last=int(last or first)))
        except ValueError:
            return None
    return tuple(sorted(set(ranges), key=lambda r: (r.first, r.last)))


def _protocols(values: Iterable[str], ported: bool) -> list[str]:
    found = [PROTOCOLS.get(fold(str(v)), fold(str(v))) for v in values]
    if "all" in found and ported:
        # "Any" with named ports: the ports bind TCP and UDP; ICMP has none.
        found = [p for p in found if p != "all"] + ["tcp", "udp", "icmp"]
    return list(dict.fromkeys(found))


def network_rules(rule: Mapping[str, Any], collection: str, collection_id: str, priority: int,
                  action: str) -> list[Rule]:
    """One model rule per protocol of one ARM network rule (classic or policy shape)."""
    name = rule.get("name", "")
    label = f"{collection}/{name}"
    base_id = f"{collection_id}/rules/{name}"
    unknown = [what for what, key in (("source IP groups", "sourceIpGroups"),
                                      ("destination IP groups", "destinationIpGroups"),
                                      ("destination FQDNs", "destinationFqdns")) if rule.get(key)]
    sources = _addresses(rule.get("sourceAddresses") or ())
    destinations = _addresses(rule.get("destinationAddresses") or ())
    ports = _ports(rule.get("destinationPorts") or ())
    if sources is None or destinations is None:
        unknown.append("addresses that are not IP ranges (service tags)")
    if ports is None:
        unknown.append("unreadable ports")
    protocols = _protocols(rule.get("protocols") or rule.get("ipProtocols") or (), bool(ports))
    common = dict(direction="ingress", action=action, priority=priority, name=label)
    if unknown:
        # Kept, but never evaluated: what it matches cannot be known from addresses.
        return [Rule(id=base_id, peers=(Peer(kind="any"),), enabled=False,
                     description=f"not evaluated: names {', '.join(unknown)}", **common)]
    peers = tuple(Peer(kind="cidr", value=c) for c in sources) or (Peer(kind="any"),)
    targets = tuple(Peer(kind="cidr", value=c) for c in destinations)
    return [Rule(id=f"{base_id}/{protocol}", protocol=protocol, ports=() if protocol in ("icmp", "all") else ports,
                 peers=peers, targets=targets, description=rule.get("description", "") or "", **common)
            for protocol in protocols]


def _action(collection: Mapping[str, Any]) -> str:
    return "deny" if fold((collection.get("action") or {}).get("type", "")) == "deny" else "allow"


def classic_rules(firewall: Mapping[str, Any]) -> list[Rule]:
    rules = []
    for collection in props(firewall).get("networkRuleCollections") or ():
        cp = props(collection)
        cid = collection.get("id") or f"{firewall['id']}/networkRuleCollections/{collection.get('name', '')}"
        for rule in cp.get("rules") or ():
            rules += network_rules(rule, collection.get("name", ""), cid, int(cp.get("priority", 0)), _action(cp))
    return rules


def group_rules(group: Mapping[str, Any]) -> list[Rule]:
    """Network rules of a Firewall Policy rule collection group."""
    gp = props(group)
    rules = []
    for collection in gp.get("ruleCollections") or ():
        if fold(collection.get("ruleCollectionType", "")) != fold("FirewallPolicyFilterRuleCollection"):
            continue  # DNAT collections translate, they do not filter forwarded traffic
        priority = int(gp.get("priority", 0)) * GROUP_PRIORITY_SCALE + int(collection.get("priority", 0))
        cid = f"{group['id']}/ruleCollections/{collection.get('name', '')}"
        for rule in collection.get("rules") or ():
            if fold(rule.get("ruleType", "")) != fold("NetworkRule"):
                continue  # application rules match FQDNs and URLs, not addresses
            rules += network_rules(rule, collection.get("name", ""), cid, priority, _action(collection))
    return rules


def _implicit_deny(firewall_id: str, priority: int) -> Rule:
    return Rule(id=f"{firewall_id}/implicitDeny", name="ImplicitDeny", direction="ingress", action="deny",
                priority=priority, peers=(Peer(kind="any"),), platform_default=True,
                description="Azure Firewall denies what no rule allows")


def firewall_policies(items: list[tuple[str, Mapping[str, Any]]], fw_policies: list[tuple[str, Mapping[str, Any]]],
                      groups: list[tuple[str, Mapping[str, Any]]], groups_read: list[tuple[str, Mapping[str, Any]]],
                      network_of: Any
                      ) -> tuple[list[FirewallPolicy], dict[str, tuple[str, ...]], list[CollectionError]]:
    """(policies, firewall id -> policy ids, gaps) for every firewall.

    `fw_policies` and `groups` are what was read of Firewall Policies and their rule
    collection groups, `groups_read` the policies whose groups were all read; a firewall
    whose policy (or base policy) was not read gets a gap and no policies: it stays
    pass-through, and the report says its rules are unknown.
    """
    complete = {fold(p["id"]) for _, p in groups_read}
    read = {fold(p["id"]): p for _, p in fw_policies if fold(p["id"]) in complete}
    groups_of: dict[str, list[Mapping[str, Any]]] = {}
    for _, group in groups:
        parent = fold(group["id"]).rsplit("/rulecollectiongroups/", 1)[0]
        groups_of.setdefault(parent, []).append(group)
    out, attached, gaps = [], {}, []
    for sub, firewall in items:
        fp = props(firewall)
        fid = firewall["id"]
        linked = (fp.get("firewallPolicy") or {}).get("id", "")
        if linked:
            chain, missing = _policy_chain(linked, read)
            if missing:
                gaps.append(CollectionError(
                    provider="azure", account=sub, service="Microsoft.Network",
                    operation="firewallPolicies/ruleCollectionGroups.list", code="NotRead",
                    message=f"rules of Azure Firewall {firewall.get('name', fid)} (Firewall Policy {missing}) "
                            "were not read; it is treated as pass-through"))
                continue
            # Parent policy rules are evaluated before the child's: their groups come first.
            rules, offset = [], 0
            for pol in chain:
                found = sorted((r for g in groups_of.get(fold(pol["id"]), ()) for r in group_rules(g)),
                               key=lambda r: r.priority)
                rules += [_shifted(r, offset) for r in found]
                offset += POLICY_LEVEL_SCALE
        elif fp.get("networkRuleCollections") is not None or fp.get("applicationRuleCollections") is not None:
            rules = classic_rules(firewall)
        else:
            continue  # no rule collections listed at all: nothing known, pass-through
        # Last of all: 65535 after classic collections (100-65000), after every group otherwise.
        rules.append(_implicit_deny(fid, max([IMPLICIT_DENY_PRIORITY - 1, *(r.priority for r in rules)]) + 1))
        pid = policy_id(fid)
        out.append(FirewallPolicy(
            provider="azure", account=sub, region=firewall.get("location", ""), id=pid,
            name=f"{firewall.get('name', '')} network rules", kind="appliance-firewall",
            network_id=network_of(firewall), stateful=True, evaluation="first-match", rules=tuple(rules)))
        attached[fold(fid)] = (pid,)
    return out, attached, gaps


def _shifted(rule: Rule, offset: int) -> Rule:
    return rule if not offset else replace(rule, priority=rule.priority + offset)


def _policy_chain(policy_ref: str, read: Mapping[str, Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], str]:
    """Base policies first; the id of the first policy that was not read, if any."""
    chain: list[Mapping[str, Any]] = []
    current, seen = policy_ref, set()
    while current and fold(current) not in seen:
        seen.add(fold(current))
        pol = read.get(fold(current))
        if pol is None:
            return [], current
        chain.insert(0, pol)
        current = (props(pol).get("basePolicy") or {}).get("id", "")
    return chain, ""
