"""Interfaces AWS services own, as AWS treats them: written as `listener` policies on the
interface, so the evaluators need nothing new (docs/model.md, "Managed interfaces").

- NAT gateways and transit gateway attachments accept no connection they did not see
  leave (only replies come back) and open none themselves: every rule denies.
- Elastic Load Balancers accept only their listeners' ports and open connections to their
  registered targets on the targets' (and health checks') ports; the security groups of
  the load balancer and of the targets still decide as usual.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from scanner.model import FirewallPolicy, Peer, PortRange, Rule

Raw = Mapping[str, list[dict[str, Any]]]

CLOSED_TYPES = {"nat_gateway": "NAT gateway", "transit_gateway": "transit gateway attachment"}
CLOSED_OWNERS = {"nat": "NAT gateway"}
ANY = (Peer(kind="any"),)
PROTOCOLS = {"TCP": ("tcp",), "TLS": ("tcp",), "HTTP": ("tcp",), "HTTPS": ("tcp",), "UDP": ("udp",),
             "TCP_UDP": ("tcp", "udp"), "GENEVE": ("udp",)}


def closed_id(account: str, region: str) -> str:
    return f"aws/{account}/{region}/managed-interface/no-inbound"


def closed_what(eni: Mapping[str, Any], owner_kind: str) -> str:
    """What kind of closed managed interface this is ("" for any other)."""
    return CLOSED_TYPES.get(eni.get("InterfaceType", ""), "") or CLOSED_OWNERS.get(owner_kind, "")


def closed_policy(account: str, region: str) -> FirewallPolicy:
    pid = closed_id(account, region)
    why = "interfaces of NAT gateways and transit gateway attachments accept no connection they did not see leave"
    return FirewallPolicy(
        provider="aws", account=account, region=region, id=pid, name="managed interface (replies only)",
        kind="listener", stateful=True, evaluation="first-match", rules=tuple(
            Rule(id=f"{pid}/{d}", direction=d, action="deny", priority=65535, peers=ANY, platform_default=True,
                 description=why) for d in ("ingress", "egress")))


def _ports(protocol: str, port: Any) -> list[tuple[str, tuple[PortRange, ...]]]:
    protos = PROTOCOLS.get(str(protocol or "TCP").upper(), ("tcp",))
    spans = (PortRange(first=int(port), last=int(port)),) if str(port).isdigit() else ()
    return [(p, spans) for p in protos]


def load_balancer_policies(account: str, region: str, raw: Raw,
                           addresses: Mapping[str, tuple[str, ...]]) -> dict[str, FirewallPolicy]:
    """Load balancer owner id (`app/name/id`, as its interfaces' descriptions say) -> its
    listener policy. `addresses`: instance id -> private addresses, for instance targets."""
    listeners: dict[str, list[dict[str, Any]]] = {}
    for li in raw.get("Listeners", ()):
        listeners.setdefault(li.get("LoadBalancerArn", ""), []).append(li)
    health = {r["TargetGroupArn"]: r.get("TargetHealthDescriptions", ()) for r in raw.get("TargetHealth", ())}
    groups: dict[str, list[dict[str, Any]]] = {}
    for tg in raw.get("TargetGroups", ()):
        for lb_arn in tg.get("LoadBalancerArns", ()) or ():
            groups.setdefault(lb_arn, []).append(tg)
    out = {}
    for lb in raw.get("LoadBalancers", ()):
        arn = lb["LoadBalancerArn"]
        pid = f"{arn}/listeners"
        rules = []
        for li in sorted(listeners.get(arn, ()), key=lambda li: li.get("Port", 0)):
            for proto, spans in _ports(li.get("Protocol", "TCP"), li.get("Port", "")):
                rules.append(Rule(id=f"{li.get('ListenerArn', pid)}/{proto}", name=f"{li.get('Protocol')}:{li.get('Port')}",
                                  direction="ingress", protocol=proto, ports=spans, peers=ANY, priority=100))
        for tg in groups.get(arn, ()):
            rules += _target_rules(tg, health.get(tg["TargetGroupArn"], ()), addresses)
        rules += [Rule(id=f"{pid}/rest/{d}", direction=d, action="deny", priority=65535, peers=ANY,
                       platform_default=True, description="a load balancer forwards only its listeners' ports")
                  for d in ("ingress", "egress")]
        out[arn.split(":loadbalancer/", 1)[-1]] = FirewallPolicy(
            provider="aws", account=account, region=region, id=pid, name=f"{lb.get('LoadBalancerName', '')} listeners",
            network_id=lb.get("VpcId", ""), kind="listener", stateful=True, evaluation="first-match",
            rules=tuple(rules))
    return out


def _target_rules(tg: Mapping[str, Any], targets: Iterable[Mapping[str, Any]],
                  addresses: Mapping[str, tuple[str, ...]]) -> list[Rule]:
    """Egress from the load balancer to each registered target on its port and the health check port."""
    rules = []
    for desc in targets:
        target = desc.get("Target") or {}
        tid = str(target.get("Id", ""))
        ips = addresses.get(tid, ()) if tid.startswith("i-") else ((tid,) if tid[:1].isdigit() or ":" in tid else ())
        if not ips:
            continue  # a Lambda function or an instance not in this snapshot
        port = target.get("Port", tg.get("Port", ""))
        check = tg.get("HealthCheckPort", "traffic-port")
        ports = {port} | ({check} if str(check).isdigit() else set())
        peers = tuple(Peer(kind="cidr", value=f"{ip}/{128 if ':' in ip else 32}") for ip in ips)
        for p in sorted(ports, key=str):
            for proto, spans in _ports(tg.get("Protocol", "TCP"), p):
                rules.append(Rule(id=f"{tg['TargetGroupArn']}/{tid}/{p}/{proto}", name=f"target {tid}:{p}",
                                  direction="egress", protocol=proto, ports=spans, peers=peers, priority=100,
                                  description=f"registered in target group {tg.get('TargetGroupName', '')}"))
    return rules
