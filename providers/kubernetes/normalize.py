"""One cluster's API objects -> the model (pure; docs/model.md "Kubernetes").

The cluster is a flat Network, a namespace a Subnet, a pod (or a controller's pod
template) a Workload. A NetworkPolicy is a union policy whose selectors the normalizer
evaluates here, against labels: a pod lists the policies that select it and, in every
direction no policy isolates, the cluster's allow-all policy for that direction, so that
the engine's union evaluation gives exactly Kubernetes' semantics. Every selector peer of
a rule gets a readable id, listed on each pod it selects (Workload.selectors).
"""
from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from providers.kubernetes import cni, selectors
from providers.kubernetes.raw import Cluster, PodSource, dig, labels_of, meta
from scanner.model import (
    CLUSTER_DNS_SELECTOR, Account, CollectionError, FirewallPolicy, Network, Peer, Peering, PortRange, Rule,
    Snapshot, Subnet, Workload,
)

PROVIDER = "kubernetes"
NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_LABELS = {"k8s-app": "kube-dns"}
DIRECTIONS = (("Ingress", "ingress", "from"), ("Egress", "egress", "to"))
ANY = Peer(kind="any")


@dataclass
class _Pod:
    source: PodSource
    id: str
    labels: dict[str, str]
    ports: dict[tuple[str, str], int]  # (port name, protocol) -> container port
    host_network: bool
    selectors: list[str] = field(default_factory=list)
    policies: dict[str, set[str]] = field(default_factory=lambda: {"ingress": set(), "egress": set()})
    isolated: set[str] = field(default_factory=set)


class _Resolver:
    """Pods per namespace and the selector peers they match, each peer resolved once."""

    def __init__(self, cluster: str, pods: list[_Pod], ns_labels: dict[str, dict[str, str]]) -> None:
        self.cluster, self.ns_labels = cluster, ns_labels
        self.by_ns: dict[str, list[_Pod]] = defaultdict(list)
        for pod in pods:
            if not pod.host_network:  # host-network pods speak with the node's address
                self.by_ns[pod.source.namespace].append(pod)
        self._peers: dict[str, list[_Pod]] = {}
        self._ns_matches: dict[str, list[str]] = {}
        self._ns_by_label: dict[tuple[str, str], set[str]] = defaultdict(set)
        for ns, labels in ns_labels.items():
            for kv in labels.items():
                self._ns_by_label[kv].add(ns)

    def pods(self, namespace: str, pod_sel: Any, ns_sel: Any) -> tuple[str, list[_Pod]]:
        """The selector peer's id and the pods it selects, resolved once per distinct peer."""
        if ns_sel is None:
            where = f"{self.cluster}/{namespace}"
        else:
            where = f"namespaces [{selectors.describe(ns_sel)}] of {self.cluster}"
        peer_id = f"pods [{selectors.describe(pod_sel)}] in {where}"
        found = self._peers.get(peer_id)
        if found is None:
            namespaces = [namespace] if ns_sel is None else self._namespaces(where, ns_sel)
            found = [p for n in namespaces for p in self.by_ns.get(n, ()) if selectors.matches(pod_sel, p.labels)]
            self._peers[peer_id] = found
            for pod in found:
                pod.selectors.append(peer_id)
        return peer_id, found

    def _namespaces(self, key: str, ns_sel: Any) -> list[str]:
        found = self._ns_matches.get(key)
        if found is None:
            # matchLabels narrow the candidates through an index; expressions are checked on those
            wanted = [(str(k), str(v)) for k, v in (ns_sel.get("matchLabels") or {}).items()]
            candidates = set.intersection(*(self._ns_by_label.get(kv, set()) for kv in wanted)) if wanted \
                else self.ns_labels
            found = self._ns_matches[key] = [n for n in sorted(candidates)
                                             if selectors.matches(ns_sel, self.ns_labels[n])]
        return found

    def named(self, base_id: str, members: list[_Pod], name: str, protocol: str) -> list[tuple[int, str]]:
        """(port number, selector id) for each number a named port resolves to among `members`."""
        out = []
        numbers: dict[int, list[_Pod]] = defaultdict(list)
        for pod in members:
            number = pod.ports.get((name, protocol))
            if number is not None:
                numbers[number].append(pod)
        for number, pods in sorted(numbers.items()):
            peer_id = f"{base_id}, port {name}/{protocol} = {number}"
            if peer_id not in self._peers:
                self._peers[peer_id] = pods
                for pod in pods:
                    pod.selectors.append(peer_id)
            out.append((number, peer_id))
        return out


def normalize(cluster: Cluster, attached: Iterable[str] = (), pod_cidrs: Iterable[str] = ()) -> Snapshot:
    """`attached`: cloud networks whose workloads reach pod addresses directly (a VPC-native
    CNI: EKS VPC CNI, GKE alias IPs, Azure CNI), over `pod_cidrs`."""
    name = cluster.name
    ns_labels = _namespaces(cluster)
    pods = _pods(cluster)
    resolver = _Resolver(name, pods, ns_labels)
    errors = list(cluster.errors)
    policies = []
    for doc in sorted(cluster.policies, key=lambda d: (meta(d).get("namespace", ""), meta(d).get("name", ""))):
        try:
            policies.append(_policy(name, doc, resolver))
        except ValueError as exc:  # SelectorError, an ipBlock or port the API server would refuse
            errors.append(CollectionError(provider=PROVIDER, account=name, service="networking.k8s.io",
                                          operation="NetworkPolicy", code="Invalid",
                                          message=f"{_ref(doc)}: {exc}; the policy is left out"))
    _mark_dns(cluster, resolver)
    defaults = {d: _allow_all(name, d) for d in ("ingress", "egress")}
    enforcement, plugin = cni.verdict(cluster.daemonsets) if cluster.live else ("unknown", "")
    network = Network(provider=PROVIDER, account=name, region="", id=name, name=name, flat=True,
                      cidrs=tuple(str(ipaddress.ip_network(c, strict=False)) for c in pod_cidrs),
                      policy_enforcement=enforcement, tags={"cni": plugin} if plugin else {})
    subnets = tuple(
        Subnet(provider=PROVIDER, account=name, region="", id=f"{name}/{ns}", name=ns, tags=labels,
               network_id=name, cidrs=())
        for ns, labels in sorted(ns_labels.items()))
    workloads = tuple(_workload(name, pod, defaults) for pod in pods)
    return Snapshot(
        accounts=(Account(provider=PROVIDER, id=name, name=name),),
        networks=(network,),
        subnets=subnets,
        policies=(*policies, *defaults.values()),
        workloads=workloads,
        peerings=tuple(p for other in attached for p in _attachment(name, other)),
        errors=tuple(errors),
    )


def _attachment(cluster: str, network_id: str) -> tuple[Peering, Peering]:
    """Both sides of the pod network's link to a cloud network, as a peering whose routes
    the platform exchanges: the cloud's subnets route the pod CIDRs to the pods, the pods
    route the cloud's address space back."""
    common = dict(provider=PROVIDER, account=cluster, region="", state="active", route_exchange="automatic")
    return (Peering(id=f"{cluster}/attached/{network_id}", network_id=cluster, peer_network_id=network_id, **common),
            Peering(id=f"{network_id}/attached/{cluster}", network_id=network_id, peer_network_id=cluster, **common))


# -- namespaces and pods ---------------------------------------------------------------
def _namespaces(cluster: Cluster) -> dict[str, dict[str, str]]:
    """Namespace -> labels; the API server adds kubernetes.io/metadata.name to every one."""
    found: dict[str, dict[str, str]] = {}
    for doc in cluster.namespaces:
        ns = meta(doc).get("name")
        if ns:
            found[ns] = {**labels_of(doc), NAME_LABEL: ns}
    for ns in {p.namespace for p in cluster.pods} | {meta(d).get("namespace", "default") for d in cluster.policies}:
        found.setdefault(ns, {NAME_LABEL: ns})
    return found


def _pods(cluster: Cluster) -> list[_Pod]:
    seen: dict[str, int] = defaultdict(int)
    out = []
    for src in sorted(cluster.pods, key=lambda p: (p.namespace, p.name, p.kind)):
        seen[f"{src.namespace}/{src.name}"] += 1
    for src in sorted(cluster.pods, key=lambda p: (p.namespace, p.name, p.kind)):
        key = f"{src.namespace}/{src.name}"
        # a Deployment and a StatefulSet may share a name; the kind then tells them apart
        pid = f"{cluster.name}/{key}" + (f".{src.kind.lower()}" if seen[key] > 1 else "")
        out.append(_Pod(src, pid, dict(src.labels), _container_ports(src.spec),
                        bool(src.spec.get("hostNetwork"))))
    return out


def _container_ports(spec: dict[str, Any]) -> dict[tuple[str, str], int]:
    ports: dict[tuple[str, str], int] = {}
    for container in spec.get("containers") or ():
        for port in (container or {}).get("ports") or ():
            name, number = port.get("name"), port.get("containerPort")
            if name and isinstance(number, int):
                ports.setdefault((name, str(port.get("protocol") or "TCP").lower()), number)
    return ports


def _addresses(pod: _Pod) -> tuple[str, ...]:
    status = pod.source.status
    if pod.host_network:
        found = [a.get("ip") for a in status.get("hostIPs") or ()] or [status.get("hostIP")]
    else:
        found = [a.get("ip") for a in status.get("podIPs") or ()] or [status.get("podIP")]
    out = []
    for value in found:
        try:
            out.append(str(ipaddress.ip_address(value)))
        except (ValueError, TypeError):
            continue
    return tuple(dict.fromkeys(out))


def _workload(cluster: str, pod: _Pod, defaults: dict[str, FirewallPolicy]) -> Workload:
    src = pod.source
    policy_ids: list[str] = []
    if not pod.host_network:  # NetworkPolicy does not apply to host-network pods
        for direction in ("ingress", "egress"):
            if direction in pod.isolated:
                policy_ids += sorted(pod.policies[direction])
            else:
                policy_ids.append(defaults[direction].id)
    owner = src.owner or (src.name if src.kind != "Pod" else "")
    return Workload(
        provider=PROVIDER, account=cluster, region="", id=pod.id, name=src.name, tags=pod.labels,
        network_id=cluster, subnet_id=f"{cluster}/{src.namespace}", private_ips=_addresses(pod),
        policy_ids=tuple(dict.fromkeys(policy_ids)), selectors=tuple(pod.selectors),
        owner_kind="container", owner_id=f"{src.kind}/{src.name}", owner_name=owner,
    )


def _mark_dns(cluster: Cluster, resolver: _Resolver) -> None:
    """The cluster DNS servers: pods behind a kube-system Service on port 53, or, when no
    such Service was read, kube-system pods labelled k8s-app=kube-dns."""
    chosen = [dig(s, "spec", "selector") for s in cluster.services
              if meta(s).get("namespace") == DNS_NAMESPACE and dig(s, "spec", "selector")
              and any(p.get("port") == 53 for p in dig(s, "spec", "ports") or ())]
    wanted = [{"matchLabels": sel} for sel in chosen] or [{"matchLabels": DNS_LABELS}]
    for pod in resolver.by_ns.get(DNS_NAMESPACE, ()):
        if any(selectors.matches(sel, pod.labels) for sel in wanted):
            pod.selectors.append(CLUSTER_DNS_SELECTOR)


# -- policies ------------------------------------------------------------------------
def _ref(doc: dict[str, Any]) -> str:
    return f"NetworkPolicy {meta(doc).get('namespace', 'default')}/{meta(doc).get('name', '?')}"


def policy_types(spec: dict[str, Any]) -> list[str]:
    """spec.policyTypes, or its default: Ingress always, Egress when egress rules exist."""
    given = spec.get("policyTypes")
    if given:
        return [str(t) for t in given]
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _policy(cluster: str, doc: dict[str, Any], resolver: _Resolver) -> FirewallPolicy:
    ns = meta(doc).get("namespace") or "default"
    name = meta(doc).get("name", "")
    spec = doc.get("spec") or {}
    pid = f"{cluster}/{ns}/{name}"
    pod_sel = spec.get("podSelector") or {}
    targets = [p for p in resolver.by_ns.get(ns, ()) if selectors.matches(pod_sel, p.labels)]
    types = policy_types(spec)
    rules: list[Rule] = []
    isolates = [direction for kind, direction, _ in DIRECTIONS if kind in types]
    for _, direction, side in DIRECTIONS:
        if direction not in isolates:
            continue
        for i, raw in enumerate(spec.get(direction) or ()):
            rules += _rules(f"{direction}[{i}]", direction, raw or {}, raw_peers=(raw or {}).get(side),
                            ns=ns, targets=targets, target_base=f"{pid} targets", resolver=resolver)
    for pod in targets:  # only once every selector of the policy was understood
        for direction in isolates:
            pod.isolated.add(direction)
            pod.policies[direction].add(pid)
    return FirewallPolicy(
        provider=PROVIDER, account=cluster, region="", id=pid, name=name, tags=labels_of(doc),
        kind="network-policy", network_id=cluster, stateful=True, evaluation="union", rules=tuple(rules))


def _peers(raw_peers: Any, ns: str, resolver: _Resolver) -> list[tuple[Peer, str, list | None]]:
    """(peer, selector id or "", the pods it selects or None for address ranges)."""
    if not raw_peers:
        return [(ANY, "", None)]
    out = []
    for raw in raw_peers:
        block = (raw or {}).get("ipBlock")
        if block:
            for cidr in ip_block(block.get("cidr", ""), block.get("except") or ()):
                out.append((Peer(kind="cidr", value=cidr), "", None))
            continue
        pod_sel, ns_sel = (raw or {}).get("podSelector"), (raw or {}).get("namespaceSelector")
        peer_id, pods = resolver.pods(ns, pod_sel or {}, ns_sel)
        out.append((Peer(kind="selector", value=peer_id), peer_id, pods))
    return out


def ip_block(cidr: str, excepts: Iterable[str]) -> list[str]:
    """An ipBlock as the ranges it admits: union policies hold no denies, so each `except`
    range is cut out of the block (ipaddress.address_exclude)."""
    kept = [ipaddress.ip_network(cidr, strict=False)]
    for text in excepts:
        cut = ipaddress.ip_network(text, strict=False)
        pieces = []
        for n in kept:
            if n.version != cut.version or not n.overlaps(cut):
                pieces.append(n)
            elif cut.subnet_of(n):
                pieces += n.address_exclude(cut)
        kept = pieces
    return [str(n) for n in ipaddress.collapse_addresses(kept)]  # one block is one IP version


def _rules(rule_id: str, direction: str, raw: dict[str, Any], raw_peers: Any, ns: str, targets: list[_Pod],
           target_base: str, resolver: _Resolver) -> list[Rule]:
    peers = _peers(raw_peers, ns, resolver)
    plain = tuple(p for p, _, _ in peers)
    entries = raw.get("ports") or ()
    if not entries:
        return [Rule(id=rule_id, direction=direction, protocol="all", peers=plain)]
    numbered: dict[str, list[PortRange] | None] = {}
    named: list[tuple[str, str]] = []
    for entry in entries:
        protocol = str(entry.get("protocol") or "TCP").lower()
        port = entry.get("port")
        if port is None:
            numbered[protocol] = None  # every port of the protocol
        elif isinstance(port, int) or str(port).isdigit():
            first = int(port)
            last = int(entry.get("endPort") or first)
            if numbered.get(protocol, []) is not None:
                numbered.setdefault(protocol, []).append(PortRange(first=first, last=max(first, last)))
        else:
            named.append((str(port), protocol))
    rules = [Rule(id=rule_id, direction=direction, protocol=protocol, ports=tuple(ranges or ()), peers=plain)
             for protocol, ranges in numbered.items()]
    for port_name, protocol in named:
        rules += _named_rules(rule_id, direction, port_name, protocol, peers, targets, target_base, resolver)
    return rules


def _named_rules(rule_id: str, direction: str, port_name: str, protocol: str, peers: list, targets: list[_Pod],
                 target_base: str, resolver: _Resolver) -> list[Rule]:
    """A named port is resolved against the destination pod's container ports: for ingress
    the selected pods (the rule's targets), for egress the peers (address ranges name no
    pod, so they drop out)."""
    why = f"named port {port_name}/{protocol}"
    plain = tuple(p for p, _, _ in peers)
    if direction == "ingress":
        return [Rule(id=rule_id, direction=direction, protocol=protocol, ports=(PortRange(first=n, last=n),),
                     peers=plain, targets=(Peer(kind="selector", value=sid),), description=why)
                for n, sid in resolver.named(target_base, targets, port_name, protocol)]
    by_number: dict[int, list[Peer]] = defaultdict(list)
    for peer, base, pods in peers:
        if peer.kind == "any":
            base, pods = f"pods in {resolver.cluster}", [p for ps in resolver.by_ns.values() for p in ps]
        if pods is None:
            continue
        for n, sid in resolver.named(base, pods, port_name, protocol):
            by_number[n].append(Peer(kind="selector", value=sid))
    return [Rule(id=rule_id, direction=direction, protocol=protocol, ports=(PortRange(first=n, last=n),),
                 peers=tuple(found), description=why)
            for n, found in sorted(by_number.items())]


def _allow_all(cluster: str, direction: str) -> FirewallPolicy:
    """What a pod no NetworkPolicy isolates in `direction` gets: everything."""
    kind = "Ingress" if direction == "ingress" else "Egress"
    return FirewallPolicy(
        provider=PROVIDER, account=cluster, region="", id=f"{cluster}/k8s:allow-all-{direction}",
        name=f"not isolated for {direction}", kind="network-policy", network_id=cluster, stateful=True,
        evaluation="union", is_default=False,
        rules=(Rule(id="allow-all", direction=direction, protocol="all", peers=(ANY,), platform_default=True,
                    description=f"no NetworkPolicy selecting the pod lists {kind}: Kubernetes allows all"),))
