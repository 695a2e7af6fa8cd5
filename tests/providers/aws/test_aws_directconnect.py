"""On-premises over AWS Direct Connect (and VPN) as a zone of the zone policy: a VPC whose
virtual private gateway, or whose transit gateway's Direct Connect attachment, leads to the
data centre. Scenario tables on records in the API's own shape, then the collector end to
end against moto with Direct Connect answered on the wire (dx_fake.py)."""
from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from providers.aws import fetch
from providers.aws.collector import collect_snapshot
from providers.aws.normalize import region_snapshot
from providers.aws.offline import snapshot_from_dir
from scanner.context import AuditContext

ACCOUNT, REGION, AZ = "111122223333", "us-east-1", "us-east-1a"
ONPREM = "192.168.0.0/16"
ZONES = f"""
version: 1
zones:
  - {{name: internal, trust: 2, match: [{{tags: {{Zone: internal}}}}]}}
  - {{name: onprem, trust: 1, description: the data centre, match: [{{cidr: "{ONPREM}"}}]}}
flows:
  - {{from: onprem, to: internal, ports: [tcp/22]}}
"""
OPEN = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
SSH_FROM_ONPREM = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": ONPREM}]}


def tgw_route(cidr, attachment=None, kind="static"):
    if attachment is None:
        return {"DestinationCidrBlock": cidr, "Type": kind, "State": "blackhole"}
    return {"DestinationCidrBlock": cidr, "Type": kind, "State": "active",
            "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": attachment}]}


def direct_connect(gateway_id, prefixes, attached=True):
    """One Direct Connect gateway associated with `gateway_id` (a tgw-... or vgw-...)."""
    kind = "transitGateway" if gateway_id.startswith("tgw-") else "virtualPrivateGateway"
    return {
        "DirectConnectGateways": [{"directConnectGatewayId": "dxgw-1", "ownerAccount": ACCOUNT,
                                   "directConnectGatewayState": "available"}],
        "DirectConnectGatewayAssociations": [{"directConnectGatewayId": "dxgw-1", "directConnectGatewayAssociations": [
            {"directConnectGatewayId": "dxgw-1", "associationState": "associated",
             "associatedGateway": {"id": gateway_id, "type": kind, "ownerAccount": ACCOUNT, "region": REGION},
             "allowedPrefixesToDirectConnectGateway": [{"cidr": c} for c in prefixes]}]}],
        "DirectConnectGatewayAttachments": [{"directConnectGatewayId": "dxgw-1", "directConnectGatewayAttachments": [
            {"directConnectGatewayId": "dxgw-1", "virtualInterfaceId": "dxvif-1", "attachmentState": "attached",
             "attachmentType": "TransitVirtualInterface"}] if attached else []}],
    }


def estate(way="tgw", spoke_routes=None, onprem_routes=None, prefixes=("10.1.0.0/16",), attached=True,
           dx_read=True, onprem_kind="direct-connect-gateway", vpc_route=ONPREM, vpn_connection=False):
    """VPC 10.1.0.0/16 with two subnets (an SSH host in each, open to the data centre),
    reaching 192.168.0.0/16 through a transit gateway (way="tgw") or a virtual private
    gateway (way="vgw"); the data centre sits behind a Direct Connect gateway."""
    target = {"TransitGatewayId": "tgw-1"} if way == "tgw" else {"GatewayId": "vgw-1"}
    raw = {
        "Vpcs": [{"VpcId": "vpc-app", "CidrBlock": "10.1.0.0/16", "OwnerId": ACCOUNT},
                 {"VpcId": "vpc-other", "CidrBlock": "10.2.0.0/16", "OwnerId": ACCOUNT}],
        "Subnets": [{"SubnetId": f"subnet-a{n}", "VpcId": "vpc-app", "CidrBlock": f"10.1.{n}.0/24",
                     "AvailabilityZone": AZ, "Tags": [{"Key": "Zone", "Value": "internal"}]} for n in (1, 2)]
        + [{"SubnetId": "subnet-o", "VpcId": "vpc-other", "CidrBlock": "10.2.1.0/24", "AvailabilityZone": AZ}],
        "RouteTables": [{"RouteTableId": "rtb-app", "VpcId": "vpc-app", "Associations": [{"Main": True}],
                         "Routes": [{"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "local", "State": "active"},
                                    {"DestinationCidrBlock": vpc_route, **target, "State": "active"}]}],
        "NetworkInterfaces": [{"NetworkInterfaceId": f"eni-a{n}", "VpcId": "vpc-app", "SubnetId": f"subnet-a{n}",
                               "PrivateIpAddress": f"10.1.{n}.10", "Groups": [{"GroupId": "sg-ssh"}],
                               "InterfaceType": "interface", "Attachment": {"InstanceId": f"i-{n}"}} for n in (1, 2)],
        "SecurityGroups": [{"GroupId": "sg-ssh", "GroupName": "ssh", "VpcId": "vpc-app",
                            "IpPermissions": [SSH_FROM_ONPREM], "IpPermissionsEgress": [OPEN]}],
    }
    if way == "vgw":
        raw["VpnGateways"] = [{"VpnGatewayId": "vgw-1", "State": "available",
                               "VpcAttachments": [{"VpcId": "vpc-app", "State": "attached"}]}]
        raw["VpnConnections"] = [{"VpnConnectionId": "vpn-1", "VpnGatewayId": "vgw-1", "State": "available",
                                  "Options": {"StaticRoutesOnly": False}}] if vpn_connection else []
        if dx_read:
            raw.update(direct_connect("vgw-1", prefixes, attached))
        return raw
    onprem = "tgw-attach-dx" if onprem_kind == "direct-connect-gateway" else "tgw-attach-vpn"
    spoke = [tgw_route(ONPREM, onprem)] if spoke_routes is None else spoke_routes
    inbound = [tgw_route("10.1.0.0/16", "tgw-attach-app", "propagated")] if onprem_routes is None else onprem_routes
    raw.update({
        "TransitGateways": [{"TransitGatewayId": "tgw-1", "OwnerId": ACCOUNT, "State": "available"}],
        "TransitGatewayAttachments": [
            {"TransitGatewayAttachmentId": a, "TransitGatewayId": "tgw-1", "ResourceType": kind, "ResourceId": r,
             "State": "available", "Association": {"TransitGatewayRouteTableId": t, "State": "associated"}}
            for a, kind, r, t in (("tgw-attach-app", "vpc", "vpc-app", "tgw-rtb-spokes"),
                                  ("tgw-attach-other", "vpc", "vpc-other", "tgw-rtb-spokes"),
                                  (onprem, onprem_kind, "dxgw-1" if onprem == "tgw-attach-dx" else "vpn-1",
                                   "tgw-rtb-onprem"))],
        "TransitGatewayVpcAttachments": [
            {"TransitGatewayAttachmentId": "tgw-attach-app", "VpcId": "vpc-app", "SubnetIds": ["subnet-a1"]},
            {"TransitGatewayAttachmentId": "tgw-attach-other", "VpcId": "vpc-other", "SubnetIds": ["subnet-o"]}],
        "TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": t, "TransitGatewayId": "tgw-1",
                                       "State": "available"} for t in ("tgw-rtb-spokes", "tgw-rtb-onprem")],
        "TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-spokes", "Routes": spoke},
                                       {"TransitGatewayRouteTableId": "tgw-rtb-onprem", "Routes": inbound}],
        "TransitGatewayPropagatedRoutes": [{"TransitGatewayRouteTableId": t, "Routes": []}
                                           for t in ("tgw-rtb-spokes", "tgw-rtb-onprem")],
        "TransitGatewayPropagations": [{"TransitGatewayRouteTableId": t, "TransitGatewayRouteTablePropagations": []}
                                       for t in ("tgw-rtb-spokes", "tgw-rtb-onprem")],
        "VpnConnections": [{"VpnConnectionId": "vpn-1", "TransitGatewayId": "tgw-1", "State": "available",
                            "Options": {"StaticRoutesOnly": True}, "Routes": [{"DestinationCidrBlock": ONPREM,
                                                                                "State": "available"}]}],
    })
    if dx_read:
        raw.update(direct_connect("tgw-1", prefixes, attached))
    return raw


def onprem_reach(raw):
    """{workload: ports the data centre reaches it on} (absent: not reached)."""
    reach = AuditContext(region_snapshot(ACCOUNT, REGION, raw), zone_policy_text=ZONES).reach
    out = {}
    for eni in ("eni-a1", "eni-a2"):
        access = reach.inbound(eni).get("onprem")
        if access is not None:
            out[eni] = access.ports.describe()
    return out


BOTH = {"eni-a1": ["tcp/22"], "eni-a2": ["tcp/22"]}
SCENARIOS = {
    # transit gateway with a Direct Connect gateway attachment
    "tgw_routes_the_range_to_the_direct_connect_attachment": (lambda: estate(), BOTH),
    "allowed_prefixes_narrower_than_the_vpc_leave_the_rest_out": (
        lambda: estate(prefixes=("10.1.1.0/24",)), {"eni-a1": ["tcp/22"]}),
    "allowed_prefixes_elsewhere_bring_nothing_in": (lambda: estate(prefixes=("10.9.0.0/16",)), {}),
    "no_virtual_interface_attached_no_data_centre": (lambda: estate(attached=False), {}),
    "direct_connect_not_read_restricts_nothing": (lambda: estate(prefixes=(), dx_read=False), BOTH),
    # the hub's own tables decide, for Direct Connect and VPN alike
    "spoke_table_without_a_route_to_the_range": (lambda: estate(spoke_routes=[]), {}),
    "spoke_table_blackholes_the_range": (lambda: estate(spoke_routes=[tgw_route(ONPREM)]), {}),
    "spoke_table_sends_the_range_to_another_vpc": (
        lambda: estate(spoke_routes=[tgw_route(ONPREM, "tgw-attach-other")]), {}),
    "direct_connect_table_does_not_route_back_in": (lambda: estate(onprem_routes=[]), {}),
    "a_more_specific_hub_route_inside_the_range_counts": (
        lambda: estate(spoke_routes=[tgw_route("192.168.10.0/24", "tgw-attach-dx")]), BOTH),
    "vpn_attachment_is_not_restricted_by_prefixes": (lambda: estate(onprem_kind="vpn"), BOTH),
    "vpn_attachment_behind_a_blackhole": (lambda: estate(onprem_kind="vpn", spoke_routes=[tgw_route(ONPREM)]), {}),
    # virtual private gateway associated with a Direct Connect gateway
    "vgw_allowed_prefix_as_wide_as_the_vpc": (lambda: estate("vgw", prefixes=("10.1.0.0/16",)), BOTH),
    "vgw_allowed_prefix_wider_than_the_vpc": (lambda: estate("vgw", prefixes=("10.0.0.0/8",)), BOTH),
    # AWS advertises whole VPC CIDRs only: a narrower allowed prefix advertises nothing
    "vgw_allowed_prefix_narrower_than_the_vpc": (lambda: estate("vgw", prefixes=("10.1.1.0/24",)), {}),
    "vgw_without_virtual_interface": (lambda: estate("vgw", attached=False), {}),
    "vgw_with_a_vpn_connection_as_well": (
        lambda: estate("vgw", prefixes=("10.1.1.0/24",), vpn_connection=True), BOTH),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name):
    build, expected = SCENARIOS[name]
    assert onprem_reach(build()) == expected


def test_the_way_there_and_back_is_the_evidence():
    snap = region_snapshot(ACCOUNT, REGION, estate(prefixes=("10.1.0.0/16",)))
    reach = AuditContext(snap, zone_policy_text=ZONES).reach
    evidence = reach.inbound("eni-a1")["onprem"].evidence
    assert "enters tgw-1 by attachment tgw-attach-app" in evidence
    assert "tgw-rtb-spokes route 192.168.0.0/16 -> attachment tgw-attach-dx (user)" in evidence
    assert "on-premises is told 10.1.0.0/16 over tgw-attach-dx" in evidence
    assert "way in: tgw-rtb-onprem route 10.1.0.0/16 -> attachment tgw-attach-app (propagated)" in evidence


def test_the_model_carries_what_on_premises_is_told():
    snap = region_snapshot(ACCOUNT, REGION, estate(prefixes=("10.1.0.0/16", "10.3.0.0/16")))
    dx = next(a for a in snap.hub_attachments if a.id == "tgw-attach-dx")
    assert (dx.kind, dx.advertised_cidrs) == ("direct-connect", ("10.1.0.0/16", "10.3.0.0/16"))
    assert next(a for a in snap.hub_attachments if a.id == "tgw-attach-app").advertised_cidrs is None
    vgw = next(g for g in region_snapshot(ACCOUNT, REGION, estate("vgw", prefixes=("10.0.0.0/8",))).gateways
               if g.id == "vgw-1")
    assert vgw.advertised_cidrs == ("10.1.0.0/16",)  # the VPC CIDR the filter lets through


# -- the collector end to end -----------------------------------------------------------

MOTO_ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def moto_estate():
    """A VPC whose route to the data centre leads to a virtual private gateway with no VPN
    connection: only Direct Connect can bring the data centre in."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": "Zone", "Value": "internal"}]}])["Subnet"]["SubnetId"]
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=ONPREM, GatewayId=vgw)
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        sg = ec2.create_security_group(VpcId=vpc, GroupName="ssh", Description="ssh")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[SSH_FROM_ONPREM])
        eni = ec2.create_network_interface(SubnetId=subnet, Groups=[sg])["NetworkInterface"]["NetworkInterfaceId"]
        yield {"vpc": vpc, "vgw": vgw, "eni": eni}


def collected_reach(snap):
    return {z: a.ports.describe() for z, a in AuditContext(snap, zone_policy_text=ZONES).reach.inbound(
        next(w.id for w in snap.workloads)).items()}


def test_vgw_associated_with_a_direct_connect_gateway_lets_the_data_centre_in(moto_estate, direct_connect):
    direct_connect.gateway("dxgw-1")
    direct_connect.associate("dxgw-1", moto_estate["vgw"], ("10.0.0.0/8",))
    direct_connect.attach("dxgw-1", "dxvif-1", kind="PrivateVirtualInterface")
    snap = collect_snapshot(regions=(REGION,))
    assert snap.complete
    vgw = next(g for g in snap.gateways if g.id == moto_estate["vgw"])
    assert vgw.advertised_cidrs == ("10.1.0.0/16",)
    assert collected_reach(snap) == {"onprem": ["tcp/22"]}


def test_direct_connect_gateway_without_a_virtual_interface_brings_nothing(moto_estate, direct_connect):
    direct_connect.gateway("dxgw-1")
    direct_connect.associate("dxgw-1", moto_estate["vgw"], ("10.0.0.0/8",))
    snap = collect_snapshot(regions=(REGION,))
    assert snap.complete and collected_reach(snap) == {}


def test_access_denied_on_direct_connect_is_a_gap_and_the_rest_is_collected(moto_estate, direct_connect):
    baseline = collect_snapshot(regions=(REGION,))
    direct_connect.gateway("dxgw-1")
    direct_connect.denied.add("DescribeDirectConnectGateways")
    snap = collect_snapshot(regions=(REGION,))
    assert [(e.service, e.operation, e.code, e.region) for e in snap.errors] == [
        ("directconnect", "DescribeDirectConnectGateways", "AccessDeniedException", REGION)]
    assert snap.networks == baseline.networks and snap.workloads == baseline.workloads
    assert snap.hub_attachments == baseline.hub_attachments
    vgw = next(g for g in snap.gateways if g.id == moto_estate["vgw"])
    assert vgw.advertised_cidrs is None  # not known: nothing restricted, nothing hidden
    assert collected_reach(snap) == {"onprem": ["tcp/22"]}


def test_a_denied_per_gateway_call_is_one_gap_and_leaves_that_data_unknown(moto_estate, direct_connect):
    for n in (1, 2):
        direct_connect.gateway(f"dxgw-{n}")
    direct_connect.associate("dxgw-1", moto_estate["vgw"], ("10.0.0.0/8",))
    direct_connect.denied.add("DescribeDirectConnectGatewayAttachments")
    snap = collect_snapshot(regions=(REGION,))
    assert [(e.operation, e.code) for e in snap.errors] == [
        ("DescribeDirectConnectGatewayAttachments", "AccessDeniedException")]
    assert [op for op, _ in direct_connect.requests].count("DescribeDirectConnectGatewayAttachments") == 1
    # the association is known, the virtual interfaces are not: on-premises may be there
    vgw = next(g for g in snap.gateways if g.id == moto_estate["vgw"])
    assert vgw.advertised_cidrs == ("10.1.0.0/16",)
    assert collected_reach(snap) == {"onprem": ["tcp/22"]}


def test_associations_page_by_next_token(moto_estate, direct_connect):
    direct_connect.gateway("dxgw-1")
    for n in range(150):
        direct_connect.associate("dxgw-1", f"tgw-{n:04d}", (f"10.{n}.0.0/16",))
    data = fetch.direct_connect(fetch.Credentials(account=MOTO_ACCOUNT), REGION, 3, fetch.threading.Event())
    assert not data.errors
    [record] = data.raw["DirectConnectGatewayAssociations"]
    assert len(record["directConnectGatewayAssociations"]) == 150
    asked = [p for op, p in direct_connect.requests if op == "DescribeDirectConnectGatewayAssociations"]
    assert [p.get("nextToken") for p in asked] == [None, "100"] and {p["maxResults"] for p in asked} == {100}


# -- from an export folder -----------------------------------------------------------------

def export_folder(tmp_path, raw, leave_out=()):
    """`raw` written as export.sh lays it out (the gateway listing under the CLI's key)."""
    folder = tmp_path / REGION
    folder.mkdir()
    for key, items in raw.items():
        if key not in leave_out:
            doc_key = "directConnectGateways" if key == "DirectConnectGateways" else key
            (folder / f"{key}.json").write_text(json.dumps({doc_key: items}))
    return tmp_path


def test_from_dir_reads_direct_connect_files(tmp_path):
    snap = snapshot_from_dir(str(export_folder(tmp_path, estate(prefixes=("10.1.1.0/24",)))), account=ACCOUNT)
    gaps = {(e.service, e.operation) for e in snap.errors}
    assert not {g for g in gaps if g[0] == "directconnect"}, gaps
    dx = next(a for a in snap.hub_attachments if a.id == "tgw-attach-dx")
    assert dx.advertised_cidrs == ("10.1.1.0/24",)


def test_from_dir_without_direct_connect_files_is_a_gap_and_restricts_nothing(tmp_path):
    raw = estate(prefixes=("10.1.1.0/24",))
    folder = export_folder(tmp_path, raw, leave_out=[k for k in raw if k.startswith("DirectConnect")])
    snap = snapshot_from_dir(str(folder), account=ACCOUNT)
    assert ("directconnect", "DescribeDirectConnectGateways", "FileMissing") in {
        (e.service, e.operation, e.code) for e in snap.errors}
    assert not any(e.operation == "DescribeDirectConnectGatewayAssociations" for e in snap.errors)
    assert next(a for a in snap.hub_attachments if a.id == "tgw-attach-dx").advertised_cidrs is None
