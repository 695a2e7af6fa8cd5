"""Kubernetes NetworkPolicy: default-deny per namespace, DNS, and whether policies are enforced.

Namespaces are the subnets of flat (pod) networks; a pod that no policy isolates in a
direction carries the platform's allow-all policy for it (docs/model.md, Kubernetes),
so "not isolated" is read from the model, never from provider branches.
"""
from __future__ import annotations

from typing import Iterator

from checks.common import SEEDS_MICRO, SEEDS_ZONES, capped, count, policy_label, rule_ports, rule_text
from scanner.context import AuditContext
from scanner.engine import CheckMeta, check
from scanner.evaluate import admits_internet, subject
from scanner.findings import Result
from scanner.index import fold
from scanner.model import CLUSTER_DNS_SELECTOR, FirewallPolicy, Peer, Rule, Subnet, Workload
from scanner.ports import PortSet

K8S = ("kubernetes",)
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
DNS = PortSet.parse("udp/53") | PortSet.parse("tcp/53")
NETPOL_DOCS = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"


def namespaces(ctx: AuditContext) -> Iterator[tuple[Subnet, list[Workload]]]:
    """Each namespace of a pod network with the pods NetworkPolicy can apply to (host-network
    pods carry no policy at all)."""
    for subnet in ctx.snapshot.subnets:
        network = ctx.index.network(subnet.network_id)
        if network is not None and network.flat:
            yield subnet, [w for w in ctx.index.workloads_of.get(fold(subnet.id), ()) if w.policy_ids]


def isolated(ctx: AuditContext, wl: Workload, direction: str) -> bool:
    """Some policy decides this direction for the pod: no platform allow-all stands in for it."""
    return bool(wl.policy_ids) and not any(
        r.platform_default and r.action == "allow" and r.direction == direction
        for p in ctx.index.policies_by_ids(wl.policy_ids) for r in p.rules)


def _open_namespaces(ctx: AuditContext, direction: str, skip: tuple[str, ...]) -> Iterator[Result]:
    way = "accept connections from every pod and address" if direction == "ingress" else \
        "may open connections to every pod and address"
    for subnet, pods in namespaces(ctx):
        if subnet.name in skip:
            continue
        open_pods = [w for w in pods if not isolated(ctx, w, direction)]
        if not open_pods:
            continue
        yield Result(
            subnet,
            f"Namespace {subnet.name} has no default-deny {direction} NetworkPolicy: "
            f"{count(len(open_pods), 'pod')} of {len(pods)} ({', '.join(capped((w.name for w in open_pods), 3))}) "
            f"{way}.",
            evidence=capped(f"{w.id}: no NetworkPolicy selecting it lists {direction.capitalize()}"
                            for w in open_pods),
            key=f"default-deny-{direction}",
        )


_DENY_EXAMPLE = (
    "apiVersion: networking.k8s.io/v1\n"
    "kind: NetworkPolicy\n"
    "metadata:\n"
    "  name: default-deny-{d}\n"
    "  namespace: payments\n"
    "spec:\n"
    "  podSelector: {{}}\n"
    "  policyTypes: [{t}]\n"
)


@check(CheckMeta(
    id="SEG601",
    name="namespace-without-default-deny-ingress",
    title="Namespace without a default-deny ingress NetworkPolicy",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}: \"No default-deny NetworkPolicy in Kubernetes\" is one of the six common "
        "architectural mistakes: default installations let every pod reach every other. "
        f"{SEEDS_MICRO}: micro-segmentation starts from a default-deny in every namespace, then "
        "explicit allows. A pod that no NetworkPolicy isolates for ingress accepts every pod of the "
        "cluster, so one compromised container reaches it."
    ),
    remediation=(
        "Add a NetworkPolicy with an empty podSelector and policyTypes [Ingress] to the namespace, then "
        "one allow policy per intended caller. kube-system, kube-public and kube-node-lease are left out "
        "(a default-deny there blocks CoreDNS: SEG604)."
    ),
    fix_example=_DENY_EXAMPLE.format(d="ingress", t="Ingress"),
    references=(NETPOL_DOCS + "#default-deny-all-ingress-traffic",
                "https://github.com/ahmetb/kubernetes-network-policy-recipes"),
    tags=("kubernetes", "default-deny", "east-west"),
    providers=K8S,
    params={"skip_namespaces": SYSTEM_NAMESPACES},
))
def namespace_without_default_deny_ingress(ctx: AuditContext,
                                           skip_namespaces: tuple[str, ...] = SYSTEM_NAMESPACES) -> Iterator[Result]:
    yield from _open_namespaces(ctx, "ingress", tuple(skip_namespaces))


@check(CheckMeta(
    id="SEG602",
    name="namespace-without-default-deny-egress",
    title="Namespace without a default-deny egress NetworkPolicy",
    severity="medium",
    rationale=(
        f"{SEEDS_MICRO}: the default-deny of Step 3 covers Ingress and Egress; without egress "
        "isolation a compromised pod probes every other pod, the node and metadata addresses and "
        f"leaves the cluster freely. {SEEDS_ZONES}: outbound access goes through explicit allow-lists."
    ),
    remediation=(
        "Add a NetworkPolicy with an empty podSelector and policyTypes [Egress] to the namespace, plus "
        "an egress allow to kube-dns on UDP and TCP 53 and to each dependency."
    ),
    fix_example=_DENY_EXAMPLE.format(d="egress", t="Egress"),
    references=(NETPOL_DOCS + "#default-deny-all-egress-traffic",),
    tags=("kubernetes", "default-deny", "egress"),
    providers=K8S,
    params={"skip_namespaces": SYSTEM_NAMESPACES},
))
def namespace_without_default_deny_egress(ctx: AuditContext,
                                          skip_namespaces: tuple[str, ...] = SYSTEM_NAMESPACES) -> Iterator[Result]:
    yield from _open_namespaces(ctx, "egress", tuple(skip_namespaces))


def _beyond_dns(ctx: AuditContext, peer: Peer, network_id: str) -> list[str]:
    """What besides the cluster DNS servers `peer` lets a pod send DNS to (empty: DNS only)."""
    if peer.kind == "any":
        return ["every address"]
    if peer.kind == "cidr":
        return [peer.value] if admits_internet(peer.value) else []
    if peer.kind == "selector":
        return [w.id for w in ctx.index.workloads_in_network.get(fold(network_id), ())
                if peer.value in w.selectors and CLUSTER_DNS_SELECTOR not in w.selectors]
    return []


@check(CheckMeta(
    id="SEG603",
    name="dns-egress-to-everywhere",
    title="DNS egress allowed to every pod or address rather than only to kube-dns",
    severity="medium",
    rationale=(
        f"{SEEDS_MICRO}: the DNS allow of Step 3 names kube-system's kube-dns pods, nothing else. A "
        "rule that opens port 53 to every namespace or every address lets a compromised pod reach any "
        "pod that listens on 53 and tunnel data out over DNS to resolvers of its choosing; the "
        "default-deny egress around it then protects less than it seems."
    ),
    remediation=(
        "Limit the DNS egress rule's `to` to namespaceSelector kubernetes.io/metadata.name: kube-system "
        "with podSelector k8s-app: kube-dns (both in one peer), on UDP and TCP 53."
    ),
    fix_example=(
        "egress:\n"
        "  - to:\n"
        "      - namespaceSelector:\n"
        "          matchLabels: {kubernetes.io/metadata.name: kube-system}\n"
        "        podSelector:\n"
        "          matchLabels: {k8s-app: kube-dns}\n"
        "    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n"
    ),
    references=(NETPOL_DOCS, "https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/"),
    tags=("kubernetes", "dns", "egress"),
    providers=K8S,
))
def dns_egress_to_everywhere(ctx: AuditContext) -> Iterator[Result]:
    for policy in ctx.snapshot.policies:
        network = ctx.index.network(policy.network_id)
        if network is None or not network.flat:
            continue
        for rule in _dns_rules(policy):
            beyond = [item for p in rule.peers for item in _beyond_dns(ctx, p, policy.network_id)]
            if not beyond:
                continue
            yield Result(
                policy,
                f"{policy_label(policy)} rule {rule.id} allows DNS ({', '.join((rule_ports(rule) & DNS).describe())}) "
                f"to {count(len(beyond), 'destination')} besides the cluster DNS servers, "
                f"such as {', '.join(capped(beyond, 3))}.",
                evidence=(rule_text(rule), *capped(f"not a cluster DNS server: {b}" for b in beyond)),
                key=f"{rule.id}/{rule.protocol}",
            )


def _dns_rules(policy: FirewallPolicy) -> list[Rule]:
    """Egress allows that open port 53 without opening every port (a general allow-all
    is another matter: SEG602)."""
    return [r for r in policy.rules
            if r.direction == "egress" and r.action == "allow" and r.enabled and not r.platform_default
            and r.ports and rule_ports(r) & DNS]


@check(CheckMeta(
    id="SEG604",
    name="default-deny-blocks-cluster-dns",
    title="A NetworkPolicy in kube-system leaves CoreDNS unreachable from the other namespaces",
    severity="high",
    rationale=(
        f"{SEEDS_MICRO}, failure modes: \"Default-deny applied to kube-system: CoreDNS unreachable; all "
        "DNS fails\". Every pod resolves service names through kube-dns; when the DNS pods are isolated "
        "for ingress and no rule admits the other namespaces on port 53, service discovery stops "
        "cluster-wide, and the usual emergency fix is to delete the policies altogether."
    ),
    remediation=(
        "Exclude kube-system from the default-deny, or add an ingress allow to the kube-dns pods from "
        "namespaceSelector {} on UDP and TCP 53."
    ),
    fix_example=(
        "apiVersion: networking.k8s.io/v1\n"
        "kind: NetworkPolicy\n"
        "metadata: {name: allow-dns, namespace: kube-system}\n"
        "spec:\n"
        "  podSelector: {matchLabels: {k8s-app: kube-dns}}\n"
        "  policyTypes: [Ingress]\n"
        "  ingress:\n"
        "    - from: [{namespaceSelector: {}}]\n"
        "      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n"
    ),
    references=(NETPOL_DOCS, "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/"),
    tags=("kubernetes", "dns", "availability"),
    providers=K8S,
))
def default_deny_blocks_cluster_dns(ctx: AuditContext) -> Iterator[Result]:
    evaluator = ctx.reach.evaluator
    for server in ctx.snapshot.workloads:
        if CLUSTER_DNS_SELECTOR not in server.selectors or not isolated(ctx, server, "ingress"):
            continue
        clients = [w for w in ctx.index.workloads_in_network.get(fold(server.network_id), ())
                   if fold(w.subnet_id) != fold(server.subnet_id)]
        if not clients:
            continue
        policies = ctx.index.policies_by_ids(server.policy_ids)
        local = subject(server)
        if any(evaluator.point(policies, "ingress", local, subject(c), DNS)[0] for c in clients):
            continue
        deciding = [p for p in policies if not any(r.platform_default for r in p.rules)]
        yield Result(
            server,
            f"Cluster DNS server {server.name} is isolated for ingress and no rule admits the "
            f"{count(len(clients), 'pod')} of other namespaces on UDP or TCP 53: name resolution fails "
            "across the cluster.",
            evidence=(*(f"isolated by {policy_label(p)}" for p in deciding),
                      *capped(f"refused on 53: {c.id}" for c in clients)),
        )


@check(CheckMeta(
    id="SEG605",
    name="network-policy-not-enforced",
    title="NetworkPolicies present while the cluster's network plugin does not enforce them",
    severity="high",
    rationale=(
        f"{SEEDS_ZONES}: \"NetworkPolicy requires a CNI plugin that supports it. Calico, Cilium, and "
        "Weave Net all implement NetworkPolicy. The default kubenet plugin does not. Verify your CNI "
        "before relying on NetworkPolicy for enforcement.\" The API server stores the policies either "
        "way; without an enforcing agent on the nodes every pod still reaches every other."
    ),
    remediation=(
        "Install or enable a plugin that enforces NetworkPolicy (Calico, Cilium, Antrea; GKE Dataplane "
        "V2 or network policy enforcement; the AKS network policy option; the EKS VPC CNI network "
        "policy agent). Told from the DaemonSets of a live cluster; a manifest-only snapshot cannot "
        "tell and is never reported."
    ),
    fix_example="# EKS\naws eks update-addon --cluster-name prod --addon-name vpc-cni \\\n"
                "  --configuration-values '{\"enableNetworkPolicy\": \"true\"}'\n",
    references=(NETPOL_DOCS + "#prerequisites",
                "https://kubernetes.io/docs/tasks/administer-cluster/network-policy-provider/"),
    tags=("kubernetes", "enforcement"),
    providers=K8S,
))
def network_policy_not_enforced(ctx: AuditContext) -> Iterator[Result]:
    for network in ctx.snapshot.networks:
        if network.policy_enforcement != "not-enforced":
            continue
        written = [p for p in ctx.snapshot.policies if fold(p.network_id) == fold(network.id)
                   and not any(r.platform_default for r in p.rules)]
        if not written:
            continue
        plugin = network.tags.get("cni", "")
        seen = f"the plugin seen is {plugin}" if plugin else "no known plugin's agent runs on the nodes"
        yield Result(
            network,
            f"Cluster {network.name} holds {count(len(written), 'NetworkPolicy')} but no DaemonSet of a plugin "
            f"that enforces them ({seen}): every pod still reaches every other.",
            evidence=capped(f"not enforced: {policy_label(p)}" for p in written),
        )
