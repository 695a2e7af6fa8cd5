"""AWS Network Firewall -> appliance gateways and `appliance-firewall` policies
(docs/model.md, "Enforcement points").

Raw records: `FirewallDetails` (DescribeFirewall answers), `FirewallPolicies`
(DescribeFirewallPolicy answers) and `RuleGroups` (DescribeRuleGroup answers). Each
firewall endpoint (`vpce-…`, one per Availability Zone) is an `appliance` gateway whose
`policy_ids` are two policies chained as AWS evaluates them: the stateless engine
(`<policy ARN>/stateless`, chain 0: groups by priority, pass = allow, drop = deny,
forward to the stateful engine = `next`, then the stateless default action) and the
stateful engine (`<policy ARN>/stateful`, chain 1: 5-tuple rules in strict order or in
default action order, then the stateful default actions). What the configuration cannot
decide (Suricata rule strings, domain lists, variables, source ports, TCP flags) never
hides a flow: such a rule is a "may pass" allow or is left out, with the reason in its
description.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import providers.aws.normalize as aws
from scanner.model import FirewallPolicy, Gateway, Peer, PortRange, Rule

Raw = Mapping[str, list[dict[str, Any]]]
ANY = (Peer(kind="any"),)
NUMBERS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
HEADER_PROTOCOLS = {"IP": "all", "TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ICMPV6": "icmpv6"}
STATELESS_ACTIONS = {"aws:pass": "allow", "aws:drop": "deny", "aws:forward_to_sfe": "next"}
STATEFUL_ACTIONS = {"PASS": "allow", "DROP": "deny", "REJECT": "deny"}  # ALERT decides nothing
DEFAULT_ORDER = {"PASS": 0, "DROP": 1, "REJECT": 2, "ALERT": 3}
GROUP_STEP = 100000


def endpoints(raw: Raw) -> dict[str, tuple[Mapping[str, Any], str, str]]:
    """Firewall endpoint id -> (firewall, subnet id, AZ)."""
    out = {}
    for detail in raw.get("FirewallDetails", ()):
        fw = detail.get("Firewall") or {}
        for az, state in ((detail.get("FirewallStatus") or {}).get("SyncStates") or {}).items():
            att = state.get("Attachment") or {}
            if att.get("EndpointId"):
                out[att["EndpointId"]] = (fw, att.get("SubnetId", ""), az)
    return out


def gateways(account: str, region: str, raw: Raw) -> list[Gateway]:
    policies = {p.get("FirewallPolicyResponse", {}).get("FirewallPolicyArn") or p.get("FirewallPolicyArn", "")
                for p in raw.get("FirewallPolicies", ())}
    out = []
    for endpoint, (fw, subnet, az) in sorted(endpoints(raw).items()):
        arn = fw.get("FirewallPolicyArn", "")
        out.append(Gateway(**aws._base(account, region, endpoint, fw, name=f"{fw.get('FirewallName', '')} {az}"),
                           kind="appliance", network_id=fw.get("VpcId", ""), subnet_id=subnet, public=False,
                           service=fw.get("FirewallArn", ""),
                           policy_ids=(f"{arn}/stateless", f"{arn}/stateful") if arn in policies else ()))
    return out


def _cidr_peers(definitions: Iterable[Mapping[str, Any]]) -> tuple[Peer, ...]:
    cidrs = [d["AddressDefinition"] for d in definitions or () if d.get("AddressDefinition")]
    return tuple(Peer(kind="cidr", value=c) for c in cidrs) or ANY


def _port_ranges(ranges: Iterable[Mapping[str, Any]]) -> tuple[PortRange, ...]:
    return tuple(PortRange(first=int(r["FromPort"]), last=int(r.get("ToPort", r["FromPort"]))) for r in ranges or ())


def _stateless(group_arn: str, base: int, rules: Iterable[Mapping[str, Any]]) -> list[Rule]:
    out = []
    for r in sorted(rules, key=lambda r: r.get("Priority", 0)):
        definition = r.get("RuleDefinition") or {}
        action = next((STATELESS_ACTIONS[a] for a in definition.get("Actions", ()) if a in STATELESS_ACTIONS), "allow")
        match = definition.get("MatchAttributes") or {}
        narrowed = [what for what, key in (("source ports", "SourcePorts"), ("TCP flags", "TCPFlags"))
                    if match.get(key)]
        protocols = [NUMBERS.get(int(p), str(p)) for p in match.get("Protocols", ()) or ()] or ["all"]
        for proto in protocols:
            ports = _port_ranges(match.get("DestinationPorts")) if proto in ("tcp", "udp") else ()
            out.append(Rule(
                id=f"{group_arn}/{r.get('Priority', 0)}/{proto}", name=f"{group_arn.rsplit('/', 1)[-1]} {r.get('Priority', 0)}",
                direction="ingress", action=action, priority=base + int(r.get("Priority", 0)), protocol=proto,
                ports=ports, peers=_cidr_peers(match.get("Sources")), targets=_targets(match.get("Destinations")),
                # a deny narrowed by what the model cannot match would drop more than AWS does
                enabled=not (narrowed and action != "allow"),
                description=f"narrowed by {', '.join(narrowed)}, not evaluated" if narrowed else ""))
    return out


def _targets(definitions: Iterable[Mapping[str, Any]]) -> tuple[Peer, ...]:
    peers = _cidr_peers(definitions)
    return () if peers == ANY else peers


def _header_ports(value: str) -> tuple[PortRange, ...] | None:
    """Suricata-style port field: ANY, 80, [80,443], 1024:65535; None when it cannot be read."""
    text = str(value or "ANY").strip().strip("[]")
    if text.upper() == "ANY":
        return ()
    out = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition(":")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            return None
        out.append(PortRange(first=int(lo), last=int(hi or lo)))
    return tuple(out)


def _header_peers(value: str) -> tuple[Peer, ...] | None:
    text = str(value or "ANY").strip()
    if text.upper() == "ANY":
        return ANY
    if text.startswith(("$", "!", "[")):
        return None  # variables, negations and lists are not resolved
    return (Peer(kind="cidr", value=text),)


def _may_pass(group_arn: str, priority: int, why: str) -> Rule:
    return Rule(id=f"{group_arn}/may-pass", name=f"{group_arn.rsplit('/', 1)[-1]} (may pass)", direction="ingress",
                priority=priority, peers=ANY, description=f"{why}: not evaluated, may pass")


def _stateful(group_arn: str, base: int, group: Mapping[str, Any], strict: bool) -> list[Rule]:
    source = group.get("RulesSource") or {}
    if source.get("RulesString"):
        return [_may_pass(group_arn, base, "Suricata rules")]
    if source.get("RulesSourceList"):
        return [_may_pass(group_arn, base, "domain list")]
    out = []
    for n, r in enumerate(source.get("StatefulRules", ()) or ()):
        action = str(r.get("Action", "")).upper()
        if action not in STATEFUL_ACTIONS:
            continue  # ALERT only logs
        header = r.get("Header") or {}
        proto = HEADER_PROTOCOLS.get(str(header.get("Protocol", "IP")).upper())
        src, dst = _header_peers(header.get("Source")), _header_peers(header.get("Destination"))
        ports = _header_ports(header.get("DestinationPort"))
        src_ports = _header_ports(header.get("SourcePort"))
        verdict = STATEFUL_ACTIONS[action]
        order = n if strict else DEFAULT_ORDER[action] * 10**9 + n
        name = f"{group_arn.rsplit('/', 1)[-1]} {n + 1} {action}"
        if proto is None or src is None or dst is None or ports is None:
            if verdict == "allow":
                out.append(_may_pass(f"{group_arn}/{n}", base + order, f"rule {n + 1} ({header})"))
            continue  # a drop the model cannot match is left out rather than hide flows
        narrowed = src_ports != ()
        if narrowed and verdict != "allow":
            continue  # a drop on some source ports only: the model has no source ports
        directions = [(src, dst)] + ([(dst, src)] if str(header.get("Direction", "FORWARD")).upper() == "ANY" else [])
        for k, (a, b) in enumerate(directions):
            out.append(Rule(id=f"{group_arn}/{n}/{k}", name=name, direction="ingress", action=verdict,
                            priority=base + order, protocol=proto,
                            ports=ports if proto in ("tcp", "udp") else (), peers=a,
                            targets=() if b == ANY else b,
                            description="source ports not evaluated: may pass" if narrowed else ""))
    return out


def policies(account: str, region: str, raw: Raw) -> list[FirewallPolicy]:
    groups = {(g.get("RuleGroupResponse") or {}).get("RuleGroupArn") or g.get("RuleGroupArn", ""): g
              for g in raw.get("RuleGroups", ())}
    out = []
    for record in raw.get("FirewallPolicies", ()):
        response = record.get("FirewallPolicyResponse") or {}
        arn = response.get("FirewallPolicyArn") or record.get("FirewallPolicyArn", "")
        policy = record.get("FirewallPolicy") or {}
        name = response.get("FirewallPolicyName", arn.rsplit("/", 1)[-1])
        stateless = []
        for ref in sorted(policy.get("StatelessRuleGroupReferences", ()), key=lambda r: r.get("Priority", 0)):
            group = (groups.get(ref["ResourceArn"]) or {}).get("RuleGroup") or {}
            rules = ((group.get("RulesSource") or {}).get("StatelessRulesAndCustomActions") or {}).get(
                "StatelessRules", ())
            stateless += _stateless(ref["ResourceArn"], int(ref.get("Priority", 0)) * GROUP_STEP, rules)
        default = next((STATELESS_ACTIONS[a] for a in policy.get("StatelessDefaultActions", ())
                        if a in STATELESS_ACTIONS), "next")
        stateless.append(Rule(id=f"{arn}/stateless/default", name="stateless default action", direction="ingress",
                              action=default, priority=10**12, peers=ANY, platform_default=True))
        strict = (policy.get("StatefulEngineOptions") or {}).get("RuleOrder") == "STRICT_ORDER"
        stateful = []
        refs = policy.get("StatefulRuleGroupReferences", ())
        for i, ref in enumerate(sorted(refs, key=lambda r: r.get("Priority", 0)) if strict else refs):
            group = (groups.get(ref["ResourceArn"]) or {}).get("RuleGroup")
            base = (int(ref.get("Priority", 0)) if strict else i) * GROUP_STEP
            if group is None:
                stateful.append(_may_pass(ref["ResourceArn"], base, "rule group not read"))
                continue
            stateful += _stateful(ref["ResourceArn"], base, group, strict)
        defaults = set(policy.get("StatefulDefaultActions", ())) if strict else set()
        drop = bool(defaults & {"aws:drop_strict", "aws:drop_established"})
        stateful.append(Rule(id=f"{arn}/stateful/default", name="stateful default action", direction="ingress",
                             action="deny" if drop else "allow", priority=10**12, peers=ANY, platform_default=True,
                             description=", ".join(sorted(defaults)) or "no default action: passes"))
        for suffix, order, rules in (("stateless", 0, stateless), ("stateful", 1, stateful)):
            out.append(FirewallPolicy(**aws._base(account, region, f"{arn}/{suffix}", response,
                                                  name=f"{name} {suffix}"),
                                      kind="appliance-firewall", stateful=True, evaluation="first-match",
                                      chain_order=order, rules=tuple(rules)))
    return out
