"""Direct Connect gateway associations -> what on-premises is told it reaches (docs/model.md,
"On-premises").

AWS ("Allowed prefixes interactions"): a Direct Connect gateway associated with a transit
gateway advertises to on-premises exactly the association's allowed prefixes; associated
with a virtual private gateway, the allowed prefixes only filter the VPC's CIDRs, so a VPC
CIDR is advertised when it is the same as or inside one of them. On-premises exists behind
the gateway while a virtual interface is attached to it.

Raw records (one account, from any region: Direct Connect gateways are global):
`DirectConnectGateways` as DescribeDirectConnectGateways lists them, and per gateway one
record in `DirectConnectGatewayAssociations` / `DirectConnectGatewayAttachments` carrying
its `directConnectGatewayId` and that call's list. Nothing read (denied, an export without
the files): nothing is restricted.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping

Raw = Mapping[str, list[dict[str, Any]]]

GATEWAYS, ASSOCIATIONS, ATTACHMENTS = "DirectConnectGateways", "DirectConnectGatewayAssociations", \
    "DirectConnectGatewayAttachments"
LIVE_ASSOCIATIONS = ("associating", "associated", "updating")
LIVE_ATTACHMENTS = ("attaching", "attached")
LIVE_GATEWAYS = ("pending", "available")


class DirectConnect:
    def __init__(self, raw: Raw) -> None:
        self.read = GATEWAYS in raw
        self.gateways = {g["directConnectGatewayId"]: g for g in raw.get(GATEWAYS, ())
                         if g.get("directConnectGatewayState", "available") in LIVE_GATEWAYS}
        self.associations: dict[str, list[dict[str, Any]]] = {}  # associated gateway id -> associations
        self.listed = {r.get("directConnectGatewayId") for r in raw.get(ASSOCIATIONS, ())}  # associations read
        for record in raw.get(ASSOCIATIONS, ()):
            for a in record.get("directConnectGatewayAssociations", ()) or ():
                gateway = (a.get("associatedGateway") or {}).get("id") or a.get("virtualGatewayId", "")
                if gateway and a.get("associationState") in LIVE_ASSOCIATIONS:
                    self.associations.setdefault(gateway, []).append(a)
        # gateway id -> whether a virtual interface is attached; a gateway whose attachments
        # were not read is left out (not known: on-premises may be there)
        self.attached = {r["directConnectGatewayId"]: any(
            a.get("attachmentState") in LIVE_ATTACHMENTS for a in r.get("directConnectGatewayAttachments", ()) or ())
            for r in raw.get(ATTACHMENTS, ()) if r.get("directConnectGatewayId")}

    def _on_premises(self, dx_gateway: str) -> bool:
        return self.attached.get(dx_gateway, True) and dx_gateway in self.gateways

    def _of(self, gateway: str, dx_gateway: str = "") -> list[dict[str, Any]] | None:
        """The gateway's associations (with one Direct Connect gateway if given), or None
        when they are not known (not read, or the Direct Connect gateway is another
        account's: its owner alone lists the association)."""
        asked = {dx_gateway} & self.gateways.keys() if dx_gateway else self.gateways.keys()
        if not self.read or asked - self.listed:
            return None  # a gateway whose associations were not read may hold this one
        found = [a for a in self.associations.get(gateway, ())
                 if not dx_gateway or a.get("directConnectGatewayId") == dx_gateway]
        if dx_gateway and dx_gateway not in self.gateways and not found:
            return None
        return found

    def hub_advertised(self, hub_id: str, dx_gateway: str) -> tuple[str, ...] | None:
        """What on-premises is told it reaches through a transit gateway's attachment of a
        Direct Connect gateway: the allowed prefixes; () with no virtual interface attached."""
        found = self._of(hub_id, dx_gateway)
        if found is None:
            return None
        if not self._on_premises(dx_gateway):
            return ()
        return tuple(dict.fromkeys(_prefixes(found)))

    def vgw_advertised(self, vgw_id: str, vpc_cidrs: Iterable[str]) -> tuple[str, ...] | None:
        """The VPC CIDRs on-premises is told over Direct Connect gateways associated with a
        virtual private gateway; None when it has no such association (or none is known)."""
        found = self._of(vgw_id)
        if not found:
            return None
        live = [a for a in found if self._on_premises(a.get("directConnectGatewayId", ""))]
        allowed = [_net(p) for p in _prefixes(live)]
        return tuple(c for c in vpc_cidrs
                     if any(n.version == _net(c).version and _net(c).subnet_of(n) for n in allowed))


def _prefixes(associations: Iterable[Mapping[str, Any]]) -> list[str]:
    return [p["cidr"] for a in associations for p in a.get("allowedPrefixesToDirectConnectGateway", ()) or ()
            if p.get("cidr")]


def _net(value: str) -> Any:
    return ipaddress.ip_network(value, strict=False)
