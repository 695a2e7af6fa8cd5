"""Live or latent: does a rule a check reports admit a real flow today, and if not, what
stops it. A live rule keeps its check's severity; a latent one is reported at low with
the reason, because fixing it changes nothing today but removes a trap for tomorrow."""
from __future__ import annotations

from typing import Iterable

from checks.common import guarded_workloads, ports_text, resource_label, rule_ports
from scanner.context import AuditContext
from scanner.evaluate import INTERNET, Subject, subject
from scanner.external import points
from scanner.findings import LATENT, LIVE
from scanner.index import fold
from scanner.model import FirewallPolicy, Rule, Workload
from scanner.ports import PortSet

LATENT_SEVERITY = "low"


def _sources(ctx: AuditContext, rule: Rule, targets: list[Workload]) -> tuple[bool, list[Workload]]:
    """Whether any workload matches the rule's peers, and the first few that are not its
    only target, found through the engine's peer index (lowest address first) instead of
    a scan of every workload for every rule."""
    reach = ctx.reach
    reach.live_rules()  # computes the estate once; the peer index comes with it
    space = reach.space
    bits = 0
    for peer in rule.peers:
        bits |= space.peer(peer)
    mine = {fold(t.id) for t in targets}
    out: list[Workload] = []
    for c in space.members(bits, limit=len(mine) + 2):
        out += (w for w in c.members if fold(w.id) not in mine or len(targets) > 1)
        if out:
            break
    return bool(bits), out


def state_fields(ctx: AuditContext, pairs: Iterable[tuple[FirewallPolicy, Rule]],
                 ports: PortSet | None = None) -> dict:
    """Result fields (cause, state, state_reason, severity when latent) for a rule-level
    finding about these (policy, rule) pairs."""
    pairs = list(pairs)
    state, reason = rule_state(ctx, pairs, ports)
    guarded = {fold(w.id): w for p in {fold(p.id): p for p, _ in pairs}.values() for w in guarded_workloads(ctx, p)}
    fields = {"cause": tuple(f"{fold(p.id)}/{fold(r.id)}" for p, r in pairs), "state": state,
              "state_reason": reason, "affected": tuple(guarded.values())}
    if state == LATENT:
        fields["severity"] = LATENT_SEVERITY
    return fields


def suffix(fields: dict) -> str:
    """The sentence a message ends with, so every output says live or latent."""
    return f" {fields['state'].capitalize()}: {fields['state_reason']}."


def rule_state(ctx: AuditContext, pairs: list[tuple[FirewallPolicy, Rule]],
               ports: PortSet | None = None) -> tuple[str, str]:
    live = ctx.reach.live_rules()
    hits = []
    for policy, rule in pairs:
        got = live.get((fold(policy.id), fold(rule.id)))
        if got and (ports is None or got & ports):
            hits.append(f"rule {rule.name or rule.id} admits {ports_text(got if ports is None else got & ports)}")
    if hits:
        return LIVE, "real flows use it today (" + "; ".join(hits) + ")"
    guarded: dict[str, Guarded] = {}  # once per policy: a network's policy guards every workload in it
    for p, _r in pairs:
        if fold(p.id) not in guarded:
            guarded[fold(p.id)] = Guarded(guarded_workloads(ctx, p))
    return LATENT, "; ".join(dict.fromkeys(why_latent(ctx, p, r, ports, guarded[fold(p.id)]) for p, r in pairs))


class Guarded:
    """The workloads a policy guards, by id order and as a set of identities."""

    def __init__(self, workloads: list[Workload]) -> None:
        self.sorted = sorted(workloads, key=lambda w: w.id)
        self.ids = {id(w) for w in workloads}

    def targets(self, ctx: AuditContext, rule: Rule) -> list[Workload]:
        """Those the rule is about (its targets), found through the engine's peer index:
        a rule costs the workloads its targets name, not a test of every guarded one."""
        if not rule.targets:
            return self.sorted
        ctx.reach.live_rules()  # the peer index comes with the estate's computation
        space = ctx.reach.space
        bits = 0
        for t in rule.targets:
            bits |= space.peer(t)
        return sorted((w for c in space.members(bits) for w in c.members if id(w) in self.ids), key=lambda w: w.id)


def _blocker(ctx: AuditContext, policies: list[FirewallPolicy], direction: str, local: Subject,
             remote: Subject, want: PortSet) -> str:
    """The deny that stops `want` among `policies`, or that no rule there admits it."""
    ev = ctx.reach.evaluator
    for policy in policies:
        for rule in sorted(policy.rules, key=lambda r: r.priority):
            if (rule.direction == direction and rule.action == "deny" and ev.applies(rule, local, remote)
                    and ev.ports(rule) & want):
                return f"{policy.kind} {policy.name or policy.id} rule {rule.name or rule.id} denies it"
    names = ", ".join(p.name or p.id for p in policies)
    return f"no rule of {names} admits it"


def _first_stop(ctx: AuditContext, src: Workload | None, dst: Workload, want: PortSet) -> str | None:
    """Where a flow from `src` (None: the internet) to `dst` on `want` stops, if at a firewall."""
    ev = ctx.reach.evaluator
    local, remote = subject(dst), INTERNET if src is None else subject(src)
    # Only the rules about each end can stop it: a network-wide chain shrinks to those.
    for where, policies in points(ctx.index, dst):
        policies = ctx.reach.applicable(policies, "ingress", dst)
        if not ev.point(policies, "ingress", local, remote, want)[0]:
            return f"at {where}, {_blocker(ctx, policies, 'ingress', local, remote, want)}"
    if src is not None:
        for where, policies in points(ctx.index, src):
            policies = ctx.reach.applicable(policies, "egress", src)
            if not ev.point(policies, "egress", remote, local, want)[0]:
                return f"at the source's {where}, {_blocker(ctx, policies, 'egress', remote, local, want)}"
    return None


def why_latent(ctx: AuditContext, policy: FirewallPolicy, rule: Rule, ports: PortSet | None = None,
               guarded: Guarded | None = None) -> str:
    """What keeps `rule` from admitting any real flow today, in one clause (several checks
    report the same rules: asked once per audit; `guarded`, the policy's guarded
    workloads where the caller has them, changes only the cost)."""
    known = ctx.shared(why_latent, lambda _ctx: {})
    key = (id(policy), id(rule), ports)
    found = known.get(key)
    if found is None or found[0] is not policy or found[1] is not rule:
        found = known[key] = (policy, rule, _why_latent(ctx, policy, rule, ports, guarded))
    return found[2]


def _why_latent(ctx: AuditContext, policy: FirewallPolicy, rule: Rule, ports: PortSet | None = None,
                guarded: Guarded | None = None) -> str:
    ev, name = ctx.reach.evaluator, rule.name or rule.id
    want = rule_ports(rule) if ports is None else rule_ports(rule) & ports
    guarded = guarded or Guarded(guarded_workloads(ctx, policy))
    if not guarded.sorted:
        return f"rule {name}: {policy.name or policy.id} guards no workload today"
    if rule.direction == "egress":
        return f"rule {name}: no flow it allows out reaches a destination today"
    targets = guarded.targets(ctx, rule)
    if not targets:
        return f"rule {name}: none of the workloads {policy.name or policy.id} guards is a target of it"
    if any(ev.peer_matches(p, INTERNET) for p in rule.peers):
        public = [w for w in targets if w.public_ips]
        if not public:
            return f"rule {name}: the internet is admitted but no workload it applies to has a public address"
        stop = _first_stop(ctx, None, public[0], want)
        if stop:
            return f"rule {name}: from the internet to {resource_label(public[0])} the flow stops {stop}"
        return f"rule {name}: no route from {public[0].subnet_id.rsplit('/', 1)[-1]} back to an internet gateway"
    found_any, sources = _sources(ctx, rule, targets)
    if found_any and not sources:
        return f"rule {name}: the only workload it admits is the one it guards"
    if not sources:
        outside = [p.value for p in rule.peers if p.kind == "cidr"]
        if outside:
            return (f"rule {name}: its sources ({', '.join(outside)}) hold no workload of the estate and no "
                    f"external zone of the zone policy names them")
        return f"rule {name}: no workload it admits exists today"
    src, dst = sources[0], next(t for t in targets if fold(t.id) != fold(sources[0].id))
    stop = _first_stop(ctx, src, dst, want)
    if stop:
        return f"rule {name}: from {resource_label(src)} to {resource_label(dst)} the flow stops {stop}"
    return f"rule {name}: no route carries the flow from {resource_label(src)} to {resource_label(dst)}"
