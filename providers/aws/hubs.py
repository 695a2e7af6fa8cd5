"""Transit gateways, their attachments and route tables, VPN gateways and connections ->
the model's hubs (docs/model.md, "Hubs").

Raw records are the EC2 responses; per route table the collector (and an export folder)
holds one record per table in `TransitGatewayPropagations`, `TransitGatewayStaticRoutes`
and `TransitGatewayPropagatedRoutes`, each carrying `TransitGatewayRouteTableId`. Only the
transit gateway's owner sees its tables and associations, so hubs and attachments are
written from the owner's records; the other accounts' VPCs join them when snapshots merge.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import providers.aws.normalize as aws
from providers.aws.directconnect import DirectConnect
from scanner.model import CollectionError, Gateway, Hub, HubAttachment, HubRouteTable, Route

Raw = Mapping[str, list[dict[str, Any]]]

KINDS = {"vpc": "network", "peering": "peering", "vpn": "vpn", "direct-connect-gateway": "direct-connect"}
STATES = {"available": "active", "modifying": "active", "pending": "pending", "pendingAcceptance": "pending",
          "initiating": "pending", "initiatingRequest": "pending", "rollingBack": "pending"}
SEARCH = "SearchTransitGatewayRoutes"


def _owned(item: Mapping[str, Any], account: str, key: str) -> bool:
    return item.get(key, account) == account


def hubs(account: str, region: str, raw: Raw) -> list[Hub]:
    return [Hub(**aws._base(account, region, t["TransitGatewayId"], t),
                default_route_table_id=(t.get("Options") or {}).get("AssociationDefaultRouteTableId", ""))
            for t in raw.get("TransitGateways", ())
            if _owned(t, account, "OwnerId") and t.get("State") not in ("deleted", "deleting")]


def _vpn_ranges(vpn: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(r["DestinationCidrBlock"] for r in vpn.get("Routes", ()) or ()
                 if r.get("DestinationCidrBlock") and r.get("State", "available") in ("available", "pending"))


def attachments(account: str, region: str, raw: Raw) -> list[HubAttachment]:
    vpc_details = {a["TransitGatewayAttachmentId"]: a for a in raw.get("TransitGatewayVpcAttachments", ())}
    peer_details = {a["TransitGatewayAttachmentId"]: a for a in raw.get("TransitGatewayPeeringAttachments", ())}
    vpns = {v["VpnConnectionId"]: v for v in raw.get("VpnConnections", ())}
    zone_of = {s["SubnetId"]: s.get("AvailabilityZone", "") for s in raw.get("Subnets", ())}
    dx = DirectConnect(raw)
    out = []
    for att in raw.get("TransitGatewayAttachments", ()):
        if not _owned(att, account, "TransitGatewayOwnerId"):
            continue
        att_id, hub_id = att["TransitGatewayAttachmentId"], att.get("TransitGatewayId", "")
        kind = KINDS.get(att.get("ResourceType", ""), "other")
        association = att.get("Association") or {}
        table = association.get("TransitGatewayRouteTableId", "") if association.get("State") == "associated" else ""
        fields: dict[str, Any] = dict(hub_id=hub_id, kind=kind, route_table_id=table,
                                      state=STATES.get(att.get("State", ""), "deleted"))
        base = aws._base(account, region, att_id, att)
        if kind == "network":
            detail = vpc_details.get(att_id, {})
            subnets = tuple(detail.get("SubnetIds", ()) or ())
            fields.update(network_id=att.get("ResourceId", ""), subnet_ids=subnets,
                          availability_zones=tuple(sorted({zone_of[s] for s in subnets if zone_of.get(s)})),
                          appliance_mode=(detail.get("Options") or {}).get("ApplianceModeSupport") == "enable")
        elif kind == "peering":
            # Both transit gateways list the one attachment id: each side is its own object.
            base = aws._base(account, region, f"{att_id}/{hub_id}", att, name=att_id)
            detail = peer_details.get(att_id, {})
            sides = (detail.get("RequesterTgwInfo") or {}, detail.get("AccepterTgwInfo") or {})
            other = next((s for s in sides if s.get("TransitGatewayId") and s["TransitGatewayId"] != hub_id), {})
            fields.update(peer_hub_id=other.get("TransitGatewayId") or att.get("ResourceId", ""),
                          peer_account=other.get("OwnerId") or att.get("ResourceOwnerId", ""),
                          peer_region=other.get("Region", ""))
        elif kind == "vpn":
            fields.update(remote_cidrs=_vpn_ranges(vpns.get(att.get("ResourceId", ""), {})))
        elif kind == "direct-connect":
            fields.update(advertised_cidrs=dx.hub_advertised(hub_id, att.get("ResourceId", "")))
        out.append(HubAttachment(**base, **fields))
    return out


def _routes(records: Iterable[Mapping[str, Any]]) -> list[Route]:
    out = []
    for r in records:
        dest, pl = r.get("DestinationCidrBlock"), r.get("PrefixListId", "")
        origin = "propagated" if r.get("Type") == "propagated" else "user"
        priority = 1 if origin == "propagated" else 0  # static beats propagated on the same prefix
        if r.get("State") == "blackhole":
            out.append(Route(destination=dest, destination_prefix_list=pl, target_kind="none", origin=origin,
                             priority=priority, active=False))
            continue
        for target in r.get("TransitGatewayAttachments", ()) or ():
            out.append(Route(destination=dest, destination_prefix_list=pl, target_kind="transit",
                             target_id=target.get("TransitGatewayAttachmentId", ""), origin=origin,
                             priority=priority, active=r.get("State", "active") == "active"))
    return out


def route_tables(account: str, region: str, raw: Raw) -> tuple[list[HubRouteTable], list[CollectionError]]:
    """Each table with its static and propagated routes; propagated routes not read (an
    export without them) are derived from the propagations: a VPC propagates its CIDRs,
    a VPN its static routes. Whatever cannot be known is a gap naming the table."""
    def by_table(key: str) -> dict[str, Mapping[str, Any]]:
        return {r["TransitGatewayRouteTableId"]: r for r in raw.get(key, ())}

    static, propagated, propagations = (by_table("TransitGatewayStaticRoutes"),
                                        by_table("TransitGatewayPropagatedRoutes"),
                                        by_table("TransitGatewayPropagations"))
    vpc_cidrs = {n.id: n.cidrs for n in aws.networks(account, region, raw)}
    vpns = {v["VpnConnectionId"]: v for v in raw.get("VpnConnections", ())}
    tables, gaps = [], []

    def gap(table_id: str, code: str, message: str) -> None:
        gaps.append(CollectionError(provider="aws", account=account, region=region, service="ec2", operation=SEARCH,
                                    code=code, message=f"transit gateway route table {table_id}: {message}"))

    for t in raw.get("TransitGatewayRouteTables", ()):
        if t.get("State") in ("deleted", "deleting"):
            continue
        table_id = t["TransitGatewayRouteTableId"]
        enabled = [p for p in (propagations.get(table_id) or {}).get("TransitGatewayRouteTablePropagations", ())
                   if p.get("State") == "enabled"]
        routes = []
        for records, label in ((static.get(table_id), "static"), (propagated.get(table_id), "propagated")):
            if records is not None:
                routes += _routes(records.get("Routes", ()))
                if records.get("AdditionalRoutesAvailable"):
                    gap(table_id, "Truncated", f"more than {len(records.get('Routes', ()))} {label} routes; "
                        "the rest were not returned")
        if propagated.get(table_id) is None:
            for p in enabled:
                cidrs, why = _propagated(p, vpc_cidrs, vpns)
                if why:
                    gap(table_id, "NotRead", why)
                routes += [Route(destination=c, target_kind="transit", target_id=p["TransitGatewayAttachmentId"],
                                 origin="propagated", priority=1) for c in cidrs]
        tables.append(HubRouteTable(**aws._base(account, region, table_id, t), hub_id=t.get("TransitGatewayId", ""),
                                    routes=tuple(routes),
                                    propagating_attachment_ids=tuple(p["TransitGatewayAttachmentId"] for p in enabled)))
    return tables, gaps


def _propagated(p: Mapping[str, Any], vpc_cidrs: Mapping[str, tuple[str, ...]],
                vpns: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, ...], str]:
    """The routes one propagation puts in a table, and why some cannot be known."""
    kind, resource = p.get("ResourceType", ""), p.get("ResourceId", "")
    if kind == "vpc":
        if resource in vpc_cidrs:
            return vpc_cidrs[resource], ""
        return (), f"propagated routes of {resource} (not in this account and region) were not read"
    if kind == "vpn":
        vpn = vpns.get(resource, {})
        static_only = (vpn.get("Options") or {}).get("StaticRoutesOnly")
        if vpn and static_only:
            return _vpn_ranges(vpn), ""
        return (), f"routes {resource} learns by BGP were not read"
    if kind == "peering":
        return (), ""  # peering attachments do not propagate
    return (), f"propagated routes of {kind} {resource} were not read"


def vpn_gateways(account: str, region: str, raw: Raw) -> list[Gateway]:
    """Virtual private gateways: on-premises peers behind their VPN connections and the
    Direct Connect gateways associated with them (what those advertise: directconnect.py;
    a VPN connection is not restricted by it)."""
    by_vgw: dict[str, list[str]] = {}
    for vpn in raw.get("VpnConnections", ()):
        if vpn.get("VpnGatewayId") and vpn.get("State") not in ("deleted", "deleting"):
            by_vgw.setdefault(vpn["VpnGatewayId"], []).extend(_vpn_ranges(vpn))
    dx = DirectConnect(raw)
    vpc_cidrs = {n.id: n.cidrs for n in aws.networks(account, region, raw)}
    out = []
    for vgw in raw.get("VpnGateways", ()):
        if vgw.get("State") in ("deleted", "deleting"):
            continue
        vpcs = [a["VpcId"] for a in vgw.get("VpcAttachments", ()) if a.get("State") in ("attached", "attaching")]
        vgw_id = vgw["VpnGatewayId"]
        advertised = None if vgw_id in by_vgw else dx.vgw_advertised(vgw_id, vpc_cidrs.get(vpcs[0], ()) if vpcs else ())
        out.append(Gateway(**aws._base(account, region, vgw_id, vgw), kind="vpn",
                           network_id=vpcs[0] if vpcs else "", public=False,
                           remote_cidrs=tuple(dict.fromkeys(by_vgw.get(vgw_id, ()))), advertised_cidrs=advertised))
    return out
