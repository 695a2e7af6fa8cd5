"""The upstream NetworkPolicy e2e cases as truth tables, asserted through ctx.reach.

After kubernetes/kubernetes test/e2e/network/netpol/network_policy.go: namespaces x, y, z
(each with its kubernetes.io/metadata.name label), pods a, b, c in each (label pod=<name>)
serving 80 and 81 on TCP, UDP and SCTP under the named ports serve-80-tcp ... Every table
starts all-true, as upstream's NewReachability(..., true), and the case says what its
policy turns off; loopback is ignored, as upstream does.
"""
from __future__ import annotations

import itertools

import pytest

from kubeset import cluster, coredns, namespace, netpol, pod
from scanner.context import AuditContext
from scanner.ports import PortSet

NAMESPACES, PODS = ("x", "y", "z"), ("a", "b", "c")
ALL = [f"{ns}/{p}" for ns in NAMESPACES for p in PODS]


def ip(name: str) -> str:
    ns, p = name.split("/")
    return f"10.{NAMESPACES.index(ns) + 1}.0.{PODS.index(p) + 1}"


def estate(*policies: dict, extra: tuple = ()):
    ports = [{"name": f"serve-{n}-{proto.lower()}", "containerPort": n, "protocol": proto}
             for n in (80, 81) for proto in ("TCP", "UDP", "SCTP")]
    objs = [namespace(ns) for ns in NAMESPACES]
    objs += [pod(*name.split("/"), {"pod": name.split("/")[1]}, ip=ip(name), ports=ports) for name in ALL]
    return cluster(*objs, *extra, *policies)


def truth(snapshot, port: str, among=ALL) -> dict[tuple[str, str], bool]:
    """(from, to) -> whether `port` (tcp/80, udp/53 ...) is open, read from flows_into."""
    ctx = AuditContext(snapshot)
    want = PortSet.parse(port)
    proto = port.split("/")[0]
    number = int(port.split("/")[1])
    table = {(s, d): False for s, d in itertools.product(among, among) if s != d}
    for dst in among:
        for flow in ctx.reach.flows_into(f"c/{dst}"):
            if flow.ports & want and flow.ports.covers(proto, number):
                for src in flow.sources:
                    name = src.removeprefix("c/")
                    if (name, dst) in table:
                        table[(name, dst)] = True
    return table


class Expect:
    """Upstream's Reachability: all true, then Expect / ExpectPeer / ExpectAllIngress."""

    def __init__(self, among=ALL) -> None:
        self.table = {(s, d): True for s, d in itertools.product(among, among) if s != d}

    def peer(self, value: bool, src_ns: str = "", src_pod: str = "", dst_ns: str = "", dst_pod: str = "") -> "Expect":
        for s, d in self.table:
            if (not src_ns or s.split("/")[0] == src_ns) and (not src_pod or s.split("/")[1] == src_pod) \
                    and (not dst_ns or d.split("/")[0] == dst_ns) and (not dst_pod or d.split("/")[1] == dst_pod):
                self.table[(s, d)] = value
        return self

    def expect(self, src: str, dst: str, value: bool) -> "Expect":
        self.table[(src, dst)] = value
        return self

    def all_ingress(self, dst: str, value: bool) -> "Expect":
        return self.peer(value, dst_ns=dst.split("/")[0], dst_pod=dst.split("/")[1])


def assert_table(snapshot, port: str, expected: Expect) -> None:
    got = truth(snapshot, port, sorted({n for pair in expected.table for n in pair}))
    wrong = sorted(f"{s} -> {d}: expected {v}" for (s, d), v in expected.table.items() if got[(s, d)] != v)
    assert not wrong, wrong


POD_A = {"matchLabels": {"pod": "a"}}
NS = "kubernetes.io/metadata.name"


def test_no_policy_everything_reaches_everything():
    assert_table(estate(), "tcp/80", Expect())


def test_default_deny_ingress():
    snap = estate(netpol("x", "deny-ingress", {}, policyTypes=["Ingress"]))
    assert_table(snap, "tcp/80", Expect().peer(False, dst_ns="x"))


def test_default_deny_all():
    snap = estate(netpol("x", "deny-all", {}, policyTypes=["Ingress", "Egress"]))
    assert_table(snap, "tcp/80", Expect().peer(False, dst_ns="x").peer(False, src_ns="x"))


def test_egress_only_policy_with_no_rules_denies_egress():
    snap = estate(netpol("x", "deny-egress", {}, policyTypes=["Egress"]))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x"))


def test_allow_from_pods_in_the_server_namespace():
    snap = estate(netpol("x", "x-a-allows-x-b", POD_A, ingress=[{"from": [{"podSelector": {"matchLabels": {"pod": "b"}}}]}]))
    assert_table(snap, "tcp/80", Expect().all_ingress("x/a", False).expect("x/b", "x/a", True))


def test_allow_only_from_one_namespace():
    snap = estate(netpol("x", "allow-client-a-via-ns-selector", POD_A,
                         ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NS: "y"}}}]}]))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="z", dst_ns="x", dst_pod="a"))


def test_match_expressions_select_namespaces():
    snap = estate(netpol("x", "allow-ns-y-match-selector", POD_A, ingress=[{"from": [{"namespaceSelector": {
        "matchExpressions": [{"key": NS, "operator": "In", "values": ["y"]}]}}]}]))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="z", dst_ns="x", dst_pod="a"))


NOT_X = {"matchExpressions": [{"key": NS, "operator": "NotIn", "values": ["x"]}]}
POD_B = {"matchLabels": {"pod": "b"}}


def test_pod_and_namespace_selector_in_one_peer_is_and():
    snap = estate(netpol("x", "and", POD_A, ingress=[{"from": [{"namespaceSelector": NOT_X, "podSelector": POD_B}]}]))
    assert_table(snap, "tcp/80", Expect().all_ingress("x/a", False)
                 .expect("y/b", "x/a", True).expect("z/b", "x/a", True))


def test_pod_and_namespace_selector_in_two_peers_is_or():
    snap = estate(netpol("x", "or", POD_A, ingress=[{"from": [{"namespaceSelector": NOT_X}, {"podSelector": POD_B}]}]))
    assert_table(snap, "tcp/80", Expect().expect("x/c", "x/a", False))


def test_exists_and_does_not_exist():
    snap = estate(netpol("x", "exists", POD_A, ingress=[{"from": [{"podSelector": {"matchExpressions": [
        {"key": "pod", "operator": "Exists"}, {"key": "missing", "operator": "DoesNotExist"}]}}]}]))
    # every pod of x carries `pod` and lacks `missing`; other namespaces are not selected
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="y", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="z", dst_ns="x", dst_pod="a"))


def test_port_numbers():
    snap = estate(netpol("x", "allow-81-from-y", POD_A, ingress=[{
        "from": [{"namespaceSelector": {"matchLabels": {NS: "y"}}}], "ports": [{"port": 81, "protocol": "TCP"}]}]))
    allowed = Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a").peer(False, src_ns="z", dst_ns="x", dst_pod="a")
    assert_table(snap, "tcp/81", allowed)
    assert_table(snap, "tcp/80", Expect().all_ingress("x/a", False))
    assert_table(snap, "udp/81", Expect().all_ingress("x/a", False))


def test_ingress_on_one_named_port():
    snap = estate(netpol("x", "allow-all", {}, ingress=[{"ports": [{"port": "serve-81-tcp"}]}]))
    assert_table(snap, "tcp/81", Expect())
    assert_table(snap, "tcp/80", Expect().peer(False, dst_ns="x"))


def test_named_port_resolves_per_destination_pod():
    """x/a calls its port "web" 80, x/b calls it 81: one rule opens a different number on each."""
    objs = [namespace("x"), pod("x", "a", {"pod": "a"}, ports=[{"name": "web", "containerPort": 80}]),
            pod("x", "b", {"pod": "b"}, ports=[{"name": "web", "containerPort": 81}]), pod("x", "c", {"pod": "c"})]
    snap = cluster(*objs, netpol("x", "web", {}, ingress=[{"ports": [{"port": "web"}]}]))
    among = ["x/a", "x/b", "x/c"]
    assert_table(snap, "tcp/80", Expect(among).all_ingress("x/b", False).all_ingress("x/c", False))
    assert_table(snap, "tcp/81", Expect(among).all_ingress("x/a", False).all_ingress("x/c", False))


def test_egress_on_one_named_port():
    # upstream's SetSpecEgressRules writes policyTypes [Egress]
    snap = estate(netpol("x", "allow-egress", {}, policyTypes=["Egress"], egress=[{"ports": [{"port": "serve-80-tcp"}]}]))
    assert_table(snap, "tcp/80", Expect())
    assert_table(snap, "tcp/81", Expect().peer(False, src_ns="x"))


def test_policy_types_default_to_ingress_even_with_only_egress_rules():
    snap = estate(netpol("x", "egress-rules-only", {}, egress=[{}]))
    assert_table(snap, "tcp/80", Expect().peer(False, dst_ns="x"))


def test_end_port_range():
    snap = estate(netpol("x", "range", POD_A, ingress=[{"ports": [{"port": 81, "endPort": 90, "protocol": "TCP"}]}]))
    assert_table(snap, "tcp/81", Expect())
    assert_table(snap, "tcp/80", Expect().all_ingress("x/a", False))


def test_sctp_is_its_own_protocol():
    snap = estate(netpol("x", "sctp", POD_A, ingress=[{"ports": [{"port": 80, "protocol": "SCTP"}]}]))
    assert_table(snap, "sctp/80", Expect())
    assert_table(snap, "sctp/81", Expect().all_ingress("x/a", False))
    assert_table(snap, "tcp/80", Expect().all_ingress("x/a", False))


def test_egress_deny_with_dns_allowed():
    dns = {"to": [{"namespaceSelector": {"matchLabels": {NS: "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"port": 53, "protocol": "UDP"}]}
    snap = estate(netpol("x", "deny-egress-but-dns", {}, policyTypes=["Egress"], egress=[dns]),
                  extra=(namespace("kube-system"), coredns()))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x"))
    ctx = AuditContext(snap)
    reached = {s for f in ctx.reach.flows_into("c/kube-system/coredns") if f.ports.covers("udp", 53) for s in f.sources}
    assert {f"c/x/{p}" for p in PODS} <= reached
    assert not any(f.ports.covers("tcp", 53) for f in ctx.reach.flows_into("c/kube-system/coredns")
                   if "c/x/a" in f.sources)
    assert_table(snap, "udp/53", Expect().peer(False, src_ns="x"))  # DNS to ordinary pods stays shut


def test_ip_block_with_except():
    """x/a may reach y's range except y/b (upstream: egress to the server's CIDR except its /32)."""
    snap = estate(netpol("x", "except", POD_A, policyTypes=["Egress"], egress=[{"to": [{"ipBlock": {
        "cidr": "10.2.0.0/24", "except": [f"{ip('y/b')}/32"]}}]}]))
    expected = Expect().peer(False, src_ns="x", src_pod="a").expect("x/a", "y/a", True).expect("x/a", "y/c", True)
    assert_table(snap, "tcp/80", expected)


def test_ip_block_ingress_from_outside_the_cluster_is_a_cidr_rule():
    snap = estate(netpol("x", "from-vpc", POD_A, ingress=[{"from": [{"ipBlock": {"cidr": "10.3.0.0/16"}}]}]))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="y", dst_ns="x", dst_pod="a"))


def test_policies_of_one_pod_are_a_union():
    snap = estate(netpol("x", "from-y", POD_A, ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NS: "y"}}}],
                                                         "ports": [{"port": 80}]}]),
                  netpol("x", "from-z-81", POD_A, ingress=[{"from": [{"namespaceSelector": {"matchLabels": {NS: "z"}}}],
                                                            "ports": [{"port": 81}]}]))
    assert_table(snap, "tcp/80", Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="z", dst_ns="x", dst_pod="a"))
    assert_table(snap, "tcp/81", Expect().peer(False, src_ns="x", dst_ns="x", dst_pod="a")
                 .peer(False, src_ns="y", dst_ns="x", dst_pod="a"))


def test_host_network_pods_are_not_subject_to_policies():
    snap = estate(netpol("x", "deny-all", {}, policyTypes=["Ingress", "Egress"]),
                  extra=(pod("x", "h", {"pod": "h"}, ip="192.168.0.5", hostNetwork=True),))
    wl = next(w for w in snap.workloads if w.name == "h")
    assert wl.policy_ids == () and wl.private_ips == ("192.168.0.5",)
    ctx = AuditContext(snap)
    assert {s for f in ctx.reach.flows_into("c/x/h") for s in f.sources} >= {"c/y/a", "c/z/a"}


@pytest.mark.parametrize("port", ["tcp/80", "udp/81"])
def test_evidence_names_the_policy_and_the_rule_index(port):
    snap = estate(netpol("x", "allow-client-a-via-ns-selector", POD_A, ingress=[
        {"from": [{"podSelector": POD_B}]},
        {"from": [{"namespaceSelector": {"matchLabels": {NS: "y"}}}]}]))
    ctx = AuditContext(snap)
    flow = next(f for f in ctx.reach.flows_into("c/x/a") if "c/y/a" in f.sources)
    cause = next(c for c in flow.causes if c.policy_id == "c/x/allow-client-a-via-ns-selector")
    assert cause.rule_id == "ingress[1]" and cause.direction == "ingress"
    assert "network-policy allow-client-a-via-ns-selector" in cause.text and "rule ingress[1]" in cause.text
    assert "kubernetes.io/metadata.name=y" in cause.text
