"""`segaudit query`: which of the asked ports flow from SRC to DST, and why, pair by pair.

A verdict over all pairs: "allowed" when every asked port flows for some pair (with no
--port: when anything flows), "blocked" when nothing does, "partial" otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.index import fold
from scanner.ports import PortSet
from scanner.questions.explain import Explainer, PairAnswer
from scanner.questions.resolve import PUBLIC_ADDRESS, Endpoint, resolve

MAX_PAIRS = 200  # pairs explained in full; beyond, the verdict comes from the whole-estate engine
SAMPLE_PAIRS = 10  # ... and this many pairs are explained, half of them ones that flow


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
    srcs = [None] if source.internet else sorted(source.workloads, key=lambda w: w.id)
    dsts = [None] if destination.internet else sorted(destination.workloads, key=lambda w: w.id)
    both = {fold(w.id) for w in source.workloads} & {fold(w.id) for w in destination.workloads}
    total = len(srcs) * len(dsts) - len(both)
    public = destination.how == PUBLIC_ADDRESS
    if total <= MAX_PAIRS or destination.internet or public:
        # the pairs themselves answer (to the internet and over it the engine has no pairs)
        answers = [explainer.pair(s, d, asked, public) for s, d in _pairs(srcs, dsts)]
        flowing = PortSet.union_of(a.ports for a in answers)
        answers = sorted(answers, key=lambda a: not a.ports)[:MAX_PAIRS]
    else:
        flowing, talking = _from_engine(ctx, source, destination)
        flowing = flowing & asked
        by_id = {fold(w.id): w for w in (*source.workloads, *destination.workloads)}
        shown = [(by_id.get(s), by_id[d]) for s, d in sorted(talking)[:SAMPLE_PAIRS // 2]]
        for pair in _pairs(srcs, dsts):
            if len(shown) >= SAMPLE_PAIRS:
                break
            if _key(pair) not in talking:
                shown.append(pair)
        answers = [explainer.pair(s, d, asked) for s, d in shown]
    return Answer(source, destination, asked, ports is None, verdict(flowing, asked, ports is None), flowing,
                  tuple(answers), total)


def _pairs(srcs: list[Any], dsts: list[Any]) -> Iterator[tuple[Any, Any]]:
    for s in srcs:
        for d in dsts:
            if s is None or d is None or fold(s.id) != fold(d.id):
                yield s, d


def _key(pair: tuple[Any, Any]) -> tuple[str, str]:
    s, d = pair
    return ("internet" if s is None else fold(s.id), fold(d.id))


def _from_engine(ctx: AuditContext, source: Endpoint, destination: Endpoint) -> tuple[PortSet, set[tuple[str, str]]]:
    """Many pairs: what the whole-estate engine says flows between the two sets, and the
    pairs (source, destination; folded) that talk."""
    wanted = None if source.internet else {fold(w.id) for w in source.workloads}
    found, talking = [], set()
    for dst in destination.workloads:
        for flow in ctx.reach.flows_into(dst.id):
            if flow.zone == "internet" and flow.sources == ("internet",):
                hits = ["internet"] if wanted is None else []
            else:
                hits = [] if wanted is None else [f for s in flow.sources if (f := fold(s)) in wanted]
            if hits:
                found.append(flow.ports)
                talking.update((h, fold(dst.id)) for h in hits)
    return PortSet.union_of(found), talking
