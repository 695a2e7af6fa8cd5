"""A cluster whose pods have VPC addresses (VPC-native CNI), audited with the VPC's own
snapshot: a DMZ instance reaching a data pod through an ipBlock is a zone flow like any
other, and the pod's NetworkPolicy and the instance's security group both decide."""
from __future__ import annotations

from click.testing import CliRunner

from builder import Estate, allow_in, allow_out, cidr, local, route
from kubeset import deployment, namespace, netpol, pod
from providers.kubernetes import manifests, normalize
from scanner import audit as auditing
from scanner.cli import main
from scanner.context import AuditContext
from scanner.model import merge

POD_CIDR = "10.0.128.0/17"


def vpc(egress=(allow_out("all", None, cidr("0.0.0.0/0")),)):
    e = Estate("aws", "111111111111", "eu-west-1")
    net = e.network("vpc-1", "10.0.0.0/16")
    e.gateway("igw-1", "internet", net, requires_public_address=True)
    rt = e.route_table("rtb-dmz", net, routes=[local("10.0.0.0/16"), route("0.0.0.0/0", "internet", "igw-1")])
    dmz = e.subnet("sn-dmz", net, "10.0.1.0/24", route_tables=[rt], tags={"Zone": "dmz"})
    sg = e.policy("sg-web", net, rules=[allow_in("tcp", 443, cidr("0.0.0.0/0")), *egress])
    e.workload("eni-web", dmz, "10.0.1.10", policies=[sg])
    return e.snapshot()


def cluster(*policies):
    objs = [namespace("vault", zone="data"), pod("vault", "vault-0", {"app": "vault"}, ip="10.0.200.7"), *policies]
    return normalize.normalize(manifests.from_objects(objs, "eks-prod"), attached=("vpc-1",), pod_cidrs=(POD_CIDR,))


FROM_DMZ = netpol("vault", "from-dmz", {"matchLabels": {"app": "vault"}},
                  ingress=[{"from": [{"ipBlock": {"cidr": "10.0.1.0/24"}}], "ports": [{"port": 8200}]}])


def test_a_dmz_instance_reaches_a_data_pod_through_an_ip_block():
    ctx = AuditContext(merge([vpc(), cluster(FROM_DMZ)]))
    flows = ctx.reach.flows_into("eks-prod/vault/vault-0")
    (flow,) = [f for f in flows if "eni-web" in f.sources]
    assert flow.zone == "dmz" and flow.ports.describe() == ["tcp/8200"]
    # causes are the destination's side: the rule that admits the instance's range
    assert {c.policy_id for c in flow.causes} == {"eks-prod/vault/from-dmz"}
    report = auditing.audit(merge([vpc(), cluster(FROM_DMZ)]), include=("SEG203",))
    # one finding per cause: the policy admitting the DMZ range, and back (the pod is not
    # isolated for egress) the instance's rule admitting 443 from anywhere
    assert {(f.resource.id, tuple((x.source, x.destination) for x in f.flows)) for f in report.findings} == {
        ("eks-prod/vault/from-dmz", (("dmz", "data"),)), ("sg-web", (("data", "dmz"),))}


def test_the_pods_default_deny_stops_the_instance():
    ctx = AuditContext(merge([vpc(), cluster(netpol("vault", "deny", {}))]))
    assert not [f for f in ctx.reach.flows_into("eks-prod/vault/vault-0") if "eni-web" in f.sources]


def test_the_instances_security_group_still_decides():
    ctx = AuditContext(merge([vpc(egress=(allow_out("tcp", 443, cidr("0.0.0.0/0")),)), cluster(FROM_DMZ)]))
    assert not [f for f in ctx.reach.flows_into("eks-prod/vault/vault-0") if "eni-web" in f.sources]


def test_without_attachment_the_pod_network_stands_alone():
    alone = normalize.normalize(manifests.from_objects(
        [namespace("vault"), pod("vault", "vault-0", {"app": "vault"}, ip="10.0.200.7")], "eks-prod"))
    ctx = AuditContext(merge([vpc(), alone]))
    assert not [f for f in ctx.reach.flows_into("eks-prod/vault/vault-0") if "eni-web" in f.sources]


def test_attach_needs_the_pod_cidr(tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--from-dir", str(tmp_path), "--attach-network", "vpc-1"])
    assert res.exit_code == 2 and "--attach-network needs --pod-cidr" in res.stderr
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--from-dir", str(tmp_path), "--attach-network", "vpc-1",
                                    "--pod-cidr", "10.0.0.0/33"])
    assert res.exit_code == 2 and "is not an address range" in res.stderr
