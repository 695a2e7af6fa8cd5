"""`segaudit query`: which of the asked ports flow from SRC to DST, and why, pair by pair.

A verdict over all pairs: "allowed" when every asked port flows for some pair (with no
--port: when anything flows), "blocked" when nothing does, "partial" otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.index import fold
from scanner.ports import PortSet
from scanner.questions.explain import Explainer, PairAnswer
from scanner.questions.resolve import PUBLIC_ADDRESS, Endpoint, resolve

MAX_PAIRS = 200  # pairs explained in full; beyond, the verdict comes from the whole-estate engine


@dataclass(frozen=True, slots=True)
class Answer:
    source: Endpoint
    destination: Endpoint
    asked: PortSet
    any_port: bool  # no --port given
    verdict: str
    ports: PortSet
    pairs: tuple[PairAnswer, ...]
    pairs_total: int


def parse_ports(specs: Iterable[str], option: str = "--port") -> PortSet | None:
    """Zone-policy port specs (tcp/22, tcp/8000-8999, udp/53, icmp, all); None for none given."""
    specs = list(specs)
    if not specs:
        return None
    try:
        return PortSet.union_of(PortSet.parse(s) for s in specs)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def verdict(ports: PortSet, asked: PortSet, any_port: bool) -> str:
    if not ports:
        return "blocked"
    return "allowed" if any_port or not (asked - ports) else "partial"


def query(ctx: AuditContext, src: Any, dst: Any, ports: PortSet | None = None,
          explainer: Explainer | None = None) -> Answer:
    source, destination = resolve(ctx, src, "--from"), resolve(ctx, dst, "--to")
    if source.internet and destination.internet:
        raise InputError("--from and --to are both the internet")
    asked = PortSet.all() if ports is None else ports
    explainer = explainer or Explainer(ctx)
    pairs = _pairs(source, destination)
    public = destination.how == PUBLIC_ADDRESS
    answers = tuple(explainer.pair(s, d, asked, public) for s, d in pairs[:MAX_PAIRS])
    if len(pairs) <= MAX_PAIRS or destination.internet or public:
        flowing = PortSet.union_of(a.ports for a in answers)
        if len(pairs) > MAX_PAIRS:
            flowing = PortSet.union_of([flowing, *(explainer.pair(s, d, asked, public).ports
                                                   for s, d in pairs[MAX_PAIRS:])])
    else:
        flowing = _from_engine(ctx, source, destination) & asked
    return Answer(source, destination, asked, ports is None, verdict(flowing, asked, ports is None), flowing,
                  answers, len(pairs))


def _pairs(source: Endpoint, destination: Endpoint) -> list[tuple[Any, Any]]:
    srcs = [None] if source.internet else sorted(source.workloads, key=lambda w: w.id)
    dsts = [None] if destination.internet else sorted(destination.workloads, key=lambda w: w.id)
    return [(s, d) for s in srcs for d in dsts if s is None or d is None or fold(s.id) != fold(d.id)]


def _from_engine(ctx: AuditContext, source: Endpoint, destination: Endpoint) -> PortSet:
    """Many pairs: what the whole-estate engine says flows between the two sets."""
    wanted = None if source.internet else {fold(w.id) for w in source.workloads}
    found = []
    for dst in destination.workloads:
        for flow in ctx.reach.flows_into(dst.id):
            if wanted is None and flow.sources == ("internet",) and flow.zone == "internet":
                found.append(flow.ports)
            elif wanted is not None and flow.zone != "internet" and any(fold(s) in wanted for s in flow.sources):
                found.append(flow.ports)
    return PortSet.union_of(found)
