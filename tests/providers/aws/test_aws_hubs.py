"""Transit gateways from API responses in AWS's own shape (as `--from-dir` reads them and
the collector stores them), through the normalizer to reachability."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from providers.aws.offline import snapshot_from_dir
from scanner.cli import main
from scanner.context import AuditContext
from scanner.errors import InputError

OWNER = "111122223333"


def vpc(vpc_id, cidr, subnet_id, subnet_cidr, az, eni, ip, attach_id, tgw, table, peer_cidr):
    """The files of one VPC with one instance, a route to the peer range via the TGW, and an SG for tcp/22."""
    sg = f"sg-{vpc_id[4:]}"
    return {
        "Vpcs": [{"VpcId": vpc_id, "CidrBlock": cidr, "OwnerId": OWNER}],
        "Subnets": [{"SubnetId": subnet_id, "VpcId": vpc_id, "CidrBlock": subnet_cidr, "AvailabilityZone": az}],
        "RouteTables": [{"RouteTableId": f"rtb-{vpc_id[4:]}", "VpcId": vpc_id,
                         "Associations": [{"Main": True, "AssociationState": {"State": "associated"}}],
                         "Routes": [{"DestinationCidrBlock": cidr, "GatewayId": "local", "State": "active"},
                                    {"DestinationCidrBlock": peer_cidr, "TransitGatewayId": tgw, "State": "active"}]}],
        "SecurityGroups": [{"GroupId": sg, "GroupName": "ssh", "VpcId": vpc_id, "OwnerId": OWNER,
                            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                               "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
                            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}],
        "NetworkInterfaces": [{"NetworkInterfaceId": eni, "VpcId": vpc_id, "SubnetId": subnet_id,
                               "PrivateIpAddress": ip, "Groups": [{"GroupId": sg}], "InterfaceType": "interface",
                               "Attachment": {"InstanceId": f"i-{eni[4:]}"}}],
        "TransitGatewayVpcAttachments": [{"TransitGatewayAttachmentId": attach_id, "TransitGatewayId": tgw,
                                          "VpcId": vpc_id, "SubnetIds": [subnet_id], "State": "available"}],
        "_attachment": {"TransitGatewayAttachmentId": attach_id, "TransitGatewayId": tgw, "ResourceType": "vpc",
                        "ResourceId": vpc_id, "State": "available", "TransitGatewayOwnerId": OWNER,
                        "Association": {"TransitGatewayRouteTableId": table, "State": "associated"}},
    }


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, items in files.items():
        (folder / f"{name}.json").write_text(json.dumps({name: items}))


def peered(tmp_path, back_route=True, truncated=False):
    """tgw-east (us-east-1) and tgw-west (us-west-2) peered by tgw-attach-p, static routes both sides."""
    sides = {"us-east-1": ("east", "10.1.0.0/16", "10.2.0.0/16", "tgw-east", "tgw-west"),
             "us-west-2": ("west", "10.2.0.0/16", "10.1.0.0/16", "tgw-west", "tgw-east")}
    for region, (name, cidr, other, tgw, peer_tgw) in sides.items():
        table, attach = f"tgw-rtb-{name}", f"tgw-attach-{name}"
        files = vpc(f"vpc-{name}", cidr, f"subnet-{name}", cidr.replace("0.0/16", "1.0/24"), f"{region}a",
                    f"eni-{name}", cidr.replace("0.0/16", "1.10"), attach, tgw, table, other)
        peering = {"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": tgw, "ResourceType": "peering",
                   "ResourceId": peer_tgw, "State": "available", "TransitGatewayOwnerId": OWNER,
                   "Association": {"TransitGatewayRouteTableId": table, "State": "associated"}}
        files["TransitGatewayAttachments"] = [files.pop("_attachment"), peering]
        files["TransitGateways"] = [{"TransitGatewayId": tgw, "OwnerId": OWNER, "State": "available"}]
        files["TransitGatewayRouteTables"] = [{"TransitGatewayRouteTableId": table, "TransitGatewayId": tgw,
                                               "State": "available"}]
        static = [{"DestinationCidrBlock": other, "Type": "static", "State": "active",
                   "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-p",
                                                  "ResourceType": "peering", "ResourceId": peer_tgw}]}]
        if name == "west" and not back_route:
            static = []
        files["TransitGatewayStaticRoutes"] = [{"TransitGatewayRouteTableId": table, "Routes": static,
                                                "AdditionalRoutesAvailable": truncated}]
        files["TransitGatewayPropagations"] = [{"TransitGatewayRouteTableId": table,
                                                "TransitGatewayRouteTablePropagations": [
                                                    {"TransitGatewayAttachmentId": attach, "ResourceType": "vpc",
                                                     "ResourceId": f"vpc-{name}", "State": "enabled"}]}]
        files["TransitGatewayPeeringAttachments"] = [{
            "TransitGatewayAttachmentId": "tgw-attach-p", "State": "available",
            "RequesterTgwInfo": {"TransitGatewayId": "tgw-east", "OwnerId": OWNER, "Region": "us-east-1"},
            "AccepterTgwInfo": {"TransitGatewayId": "tgw-west", "OwnerId": OWNER, "Region": "us-west-2"}}]
        write(tmp_path / region, files)
    return tmp_path


def test_peering_across_regions_with_static_routes_on_both_sides(tmp_path):
    ctx = AuditContext(snapshot_from_dir(str(peered(tmp_path))))
    assert [(f.sources, f.ports.describe()) for f in ctx.reach.flows_into("eni-west")] == [(("eni-east",), ["tcp/22"])]
    sides = {a.id: (a.name, a.hub_id, a.peer_hub_id, a.peer_region, a.route_table_id)
             for a in ctx.snapshot.hub_attachments if a.kind == "peering"}
    assert sides == {"tgw-attach-p/tgw-east": ("tgw-attach-p", "tgw-east", "tgw-west", "us-west-2", "tgw-rtb-east"),
                     "tgw-attach-p/tgw-west": ("tgw-attach-p", "tgw-west", "tgw-east", "us-east-1", "tgw-rtb-west")}


def test_propagated_routes_are_derived_from_propagations_when_not_exported(tmp_path):
    snap = snapshot_from_dir(str(peered(tmp_path)))
    table = next(t for t in snap.hub_route_tables if t.id == "tgw-rtb-west")
    assert {(r.destination, r.target_id, r.origin, r.priority) for r in table.routes} == {
        ("10.1.0.0/16", "tgw-attach-p", "user", 0), ("10.2.0.0/16", "tgw-attach-west", "propagated", 1)}
    assert table.propagating_attachment_ids == ("tgw-attach-west",)


def test_a_static_route_on_one_side_only_carries_nothing(tmp_path):
    ctx = AuditContext(snapshot_from_dir(str(peered(tmp_path, back_route=False))))
    assert ctx.reach.flows_into("eni-west") == () and ctx.reach.flows_into("eni-east") == ()


def test_additional_routes_available_is_a_gap_naming_the_table(tmp_path):
    snap = snapshot_from_dir(str(peered(tmp_path, truncated=True)))
    gaps = [(e.region, e.operation, e.code, e.message) for e in snap.errors if e.code == "Truncated"]
    assert gaps == [("us-east-1", "SearchTransitGatewayRoutes", "Truncated",
                     "transit gateway route table tgw-rtb-east: more than 1 static routes; the rest were not returned"),
                    ("us-west-2", "SearchTransitGatewayRoutes", "Truncated",
                     "transit gateway route table tgw-rtb-west: more than 1 static routes; the rest were not returned")]


def test_searched_propagated_routes_replace_the_derived_ones(tmp_path):
    root = peered(tmp_path)
    (root / "us-east-1" / "TransitGatewayPropagatedRoutes.json").write_text(json.dumps({
        "TransitGatewayPropagatedRoutes": [{"TransitGatewayRouteTableId": "tgw-rtb-east", "Routes": [
            {"DestinationCidrBlock": "10.1.0.0/17", "Type": "propagated", "State": "active",
             "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-east"}]}]}]}))
    snap = snapshot_from_dir(str(root))
    table = next(t for t in snap.hub_route_tables if t.id == "tgw-rtb-east")
    assert sorted(r.destination for r in table.routes) == ["10.1.0.0/17", "10.2.0.0/16"]


def test_vpn_static_routes_are_the_on_premises_ranges(tmp_path):
    root = peered(tmp_path)
    east = root / "us-east-1"
    attachments = json.loads((east / "TransitGatewayAttachments.json").read_text())["TransitGatewayAttachments"]
    attachments.append({"TransitGatewayAttachmentId": "tgw-attach-vpn", "TransitGatewayId": "tgw-east",
                        "ResourceType": "vpn", "ResourceId": "vpn-1", "State": "available",
                        "Association": {"TransitGatewayRouteTableId": "tgw-rtb-east", "State": "associated"}})
    propagations = json.loads((east / "TransitGatewayPropagations.json").read_text())
    propagations["TransitGatewayPropagations"][0]["TransitGatewayRouteTablePropagations"].append(
        {"TransitGatewayAttachmentId": "tgw-attach-vpn", "ResourceType": "vpn", "ResourceId": "vpn-1",
         "State": "enabled"})
    write(east, {"TransitGatewayAttachments": attachments,
                 "VpnConnections": [{"VpnConnectionId": "vpn-1", "TransitGatewayId": "tgw-east", "State": "available",
                                     "CustomerGatewayConfiguration": "<xml>pre_shared_key</xml>",
                                     "Options": {"StaticRoutesOnly": True},
                                     "Routes": [{"DestinationCidrBlock": "192.168.0.0/16", "State": "available"}]},
                                    {"VpnConnectionId": "vpn-2", "VpnGatewayId": "vgw-1", "State": "available",
                                     "Options": {"StaticRoutesOnly": True},
                                     "Routes": [{"DestinationCidrBlock": "172.16.0.0/12", "State": "available"}]}],
                 "VpnGateways": [{"VpnGatewayId": "vgw-1", "State": "available",
                                  "VpcAttachments": [{"VpcId": "vpc-east", "State": "attached"}]}]})
    (east / "TransitGatewayPropagations.json").write_text(json.dumps(propagations))
    snap = snapshot_from_dir(str(root))
    vpn = next(a for a in snap.hub_attachments if a.id == "tgw-attach-vpn")
    assert (vpn.kind, vpn.remote_cidrs) == ("vpn", ("192.168.0.0/16",))
    vgw = next(g for g in snap.gateways if g.id == "vgw-1")
    assert (vgw.kind, vgw.network_id, vgw.remote_cidrs) == ("vpn", "vpc-east", ("172.16.0.0/12",))
    table = next(t for t in snap.hub_route_tables if t.id == "tgw-rtb-east")
    assert ("192.168.0.0/16", "tgw-attach-vpn") in {(r.destination, r.target_id) for r in table.routes}
    assert "pre_shared_key" not in json.dumps([str(x) for x in snap.gateways + snap.hub_attachments])
    on_prem = [r for r in table.routes if r.target_id == "tgw-attach-vpn"]
    assert on_prem and on_prem[0].origin == "propagated"
    ctx = AuditContext(snap)
    subnet = ctx.index.subnet("subnet-east")
    # the VPC routes 10.2/16 (not on-premises) to the TGW; 192.168/16 has no VPC route yet
    assert ctx.routing.lookup(subnet, "192.168.1.1") is None
    tables = json.loads((east / "RouteTables.json").read_text())
    tables["RouteTables"][0]["Routes"].append({"DestinationCidrBlock": "192.168.0.0/16",
                                               "TransitGatewayId": "tgw-east", "State": "active"})
    (east / "RouteTables.json").write_text(json.dumps(tables))
    ctx = AuditContext(snapshot_from_dir(str(root)))
    subnet = ctx.index.subnet("subnet-east")
    hop = ctx.routing.lookup(subnet, "192.168.1.1")
    assert ctx.routing.usable(hop, subnet, "", "192.168.1.1") is True  # a way back to on-premises
    assert ctx.routing.transit_path(hop, subnet, "", "192.168.1.1")[-1] == (
        "tgw-rtb-east route 192.168.0.0/16 -> attachment tgw-attach-vpn (propagated)")


def test_accounts_layout_and_account_option(tmp_path):
    root = peered(tmp_path / "flat")
    nested = tmp_path / "nested" / "accounts" / "444455556666"
    nested.mkdir(parents=True)
    (root / "us-west-2").rename(nested / "us-west-2")
    snap = snapshot_from_dir(str(tmp_path / "nested"))
    assert {a.id for a in snap.accounts} == {"444455556666"}
    assert {n.account for n in snap.networks} == {"444455556666"}
    for path in (root / "us-east-1").glob("*.json"):
        doc = json.loads(path.read_text())
        for item in next(iter(doc.values())):
            if isinstance(item, dict):
                item.pop("OwnerId", None)
        path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="give --account"):
        snapshot_from_dir(str(root))
    assert {a.id for a in snapshot_from_dir(str(root), "999988887777").accounts} == {"999988887777"}


def test_bad_files_are_one_line_errors(tmp_path):
    root = peered(tmp_path)
    (root / "us-east-1" / "Vpcs.json").write_text("{not json")
    result = CliRunner().invoke(main, ["snapshot", "aws", "--from-dir", str(root), "-q"])
    assert result.exit_code == 2 and "Vpcs.json: not JSON" in result.output
    (root / "us-east-1" / "Vpcs.json").write_text(json.dumps({"Subnets": {}}))
    (root / "us-east-1" / "Subnets.json").write_text(json.dumps({"Subnets": {"a": 1}}))
    result = CliRunner().invoke(main, ["snapshot", "aws", "--from-dir", str(root), "-q"])
    assert result.exit_code == 2 and "expected an object with a 'Subnets' list" in result.output
    result = CliRunner().invoke(main, ["snapshot", "aws", "--from-dir", str(tmp_path / "none"), "-q"])
    assert result.exit_code == 2 and "not a directory" in result.output
