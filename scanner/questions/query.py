"""`segaudit query`: which of the asked ports flow from SRC to DST, and why, pair by pair.

A verdict over all pairs: "allowed" when every asked port flows for some pair (with no
--port: when anything flows), "blocked" when nothing does, "partial" otherwise.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from scanner.context import AuditContext
from scanner.errors import InputError
from scanner.index import fold
from scanner.ports import PortSet
from scanner.questions.explain import Explainer, PairAnswer
from scanner.questions.resolve import PUBLIC_ADDRESS, Endpoint, resolve
from scanner.reach import UNZONED
from scanner.zonepolicy import INTERNET

MAX_PAIRS = 200  # pairs explained in full; beyond, the verdict comes from the whole-estate engine
SAMPLE_PAIRS = 10  # ... and this many pairs are explained, half of them ones that flow
BLOCKED_TRIES = 20  # pairs tried for the blocked half of the sample


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
        flowing, talking = _from_engine(ctx, source, destination, asked)
        by_id = {fold(w.id): w for w in (*source.workloads, *destination.workloads)}
        shown = [(by_id.get(s), by_id[d]) for s, d in talking]
        answers = [explainer.pair(s, d, asked) for s, d in shown]
        answers += _blocked_sample(explainer, srcs, dsts, asked, SAMPLE_PAIRS - len(answers), set(talking))
    return Answer(source, destination, asked, ports is None, verdict(flowing, asked, ports is None), flowing,
                  tuple(answers), total)


def _pairs(srcs: list[Any], dsts: list[Any]) -> Iterator[tuple[Any, Any]]:
    for s in srcs:
        for d in dsts:
            if s is None or d is None or fold(s.id) != fold(d.id):
                yield s, d


def _from_engine(ctx: AuditContext, source: Endpoint, destination: Endpoint,
                 asked: PortSet) -> tuple[PortSet, list[tuple[str, str]]]:
    """Many pairs: of the asked ports, those the whole-estate engine says flow from the
    source set into the destination set, and the first few pairs (source, destination;
    folded) that talk, destinations in id order.

    A flow's sources all sit in its zone. A zone the source set holds whole (or the
    internet) answers from the destination's per-zone summary, once per summary (a class
    of alike workloads shares one); a zone it holds none of is skipped; only a zone held
    in part has its flows' sources listed, and only while they could add a port or a
    sample pair. Linear in the destinations, not in the pairs."""
    want = SAMPLE_PAIRS // 2
    if source.internet:
        wanted, whole, some = set(), {INTERNET}, set()
    else:
        wanted = {fold(w.id) for w in source.workloads}
        held = Counter(ctx.zones.workload_zone(w.id) or UNZONED for w in source.workloads)
        sizes = _zone_sizes(ctx)
        whole = {z for z, n in held.items() if n == sizes[z]}
        some = set(held) - whole
    found, talking, summed = PortSet(), [], set()
    for dst in sorted(destination.workloads, key=lambda w: w.id):
        inbound = ctx.reach.inbound(dst.id)
        if id(inbound) not in summed:
            summed.add(id(inbound))
            for zone in whole & inbound.keys():
                found |= inbound[zone].ports & asked
        sample = len(talking) < want
        partial = [z for z in some & inbound.keys() if sample or (inbound[z].ports & asked) - found]
        if not partial and not (sample and whole & inbound.keys()):
            continue
        for flow in ctx.reach.flows_into(dst.id):
            if flow.zone in whole:
                if not sample:
                    continue
                hits = [fold(s) for s in flow.sources] if flow.zone != INTERNET else [INTERNET]
            elif flow.zone in partial:
                hits = [f for s in flow.sources if (f := fold(s)) in wanted]
                if not hits:
                    continue
                found |= flow.ports & asked
            else:
                continue
            for hit in hits:
                if len(talking) >= want:
                    break
                if (hit, fold(dst.id)) not in talking:
                    talking.append((hit, fold(dst.id)))
            sample = len(talking) < want
    return found, talking


def _zone_sizes(ctx: AuditContext) -> Counter:
    return Counter(ctx.zones.workload_zone(w.id) or UNZONED for w in ctx.snapshot.workloads)


def _blocked_sample(explainer: Explainer, srcs: list[Any], dsts: list[Any], asked: PortSet, room: int,
                    shown: set[tuple[str, str]]) -> list[PairAnswer]:
    """Up to `room` pairs where nothing asked flows, explained, so a sample shows where
    flows stop too; the first candidates in pair order not `shown` already (folded ids),
    at most BLOCKED_TRIES of them."""
    out = []
    candidates = (p for p in _pairs(srcs, dsts) if (INTERNET if p[0] is None else fold(p[0].id), fold(p[1].id)) not in shown)
    for tried, (s, d) in enumerate(candidates):
        if len(out) >= room or tried >= BLOCKED_TRIES:
            break
        answer = explainer.pair(s, d, asked)
        if not answer.ports:
            out.append(answer)
    return out
