"""The findings a forked child sends back to the parent (scanner.parallel): MessagePack
through msgspec, with each resource reference sent once and named by number. A big
estate's checks send back a hundred thousand findings: pickle took 7 s to write them and
4 s to read them; typed MessagePack of the dataclasses is several times faster, but alone
it made a copy of every shared reference (400 MB at 100,000 workloads)."""
from __future__ import annotations

from typing import Callable, Optional

import msgspec

from scanner.findings import AlsoReported, Finding, FlowRef, ResourceRef

# Finding's fields in order, with `resource` and `affected` as numbers into the table.
Row = tuple[str, str, str, int, str, tuple[str, ...], tuple[str, ...], str, str, tuple[str, ...],
            tuple[FlowRef, ...], tuple[int, ...], int, str, str, tuple[AlsoReported, ...]]


def codec(error_type: type) -> tuple[Callable[[list], bytes], Callable[[bytes], list]]:
    """dumps and loads for run_indexed's [(i, (findings, error or None)), ...]."""
    encoder = msgspec.msgpack.Encoder()
    decoder = msgspec.msgpack.Decoder(tuple[list[ResourceRef], list[tuple[int, tuple[list[Row], Optional[error_type]]]]])

    def dumps(done: list) -> bytes:
        table: list[ResourceRef] = []
        numbers: dict[int, int] = {}  # id(ref) -> its number; the engine shares refs

        def number(r: ResourceRef) -> int:
            n = numbers.get(id(r))
            if n is None or table[n] is not r:
                n = numbers[id(r)] = len(table)
                table.append(r)
            return n

        rows = [(i, ([_row(f, number) for f in found], error)) for i, (found, error) in done]
        return encoder.encode((table, rows))

    def loads(data: bytes) -> list:
        table, rows = decoder.decode(data)
        return [(i, ([_finding(row, table) for row in found], error)) for i, (found, error) in rows]

    return dumps, loads


def _row(f: Finding, number: Callable[[ResourceRef], int]) -> tuple:
    if f.suppression is not None:  # checks make none: suppressions come later, in the parent
        raise ValueError("a suppressed finding is not sent between processes")
    return (f.check_id, f.title, f.severity, number(f.resource), f.message, f.evidence, f.zones, f.key,
            f.fingerprint, f.cause, f.flows, tuple(map(number, f.affected)), f.affected_count, f.state,
            f.state_reason, f.also)


def _finding(row: tuple, table: list[ResourceRef]) -> Finding:
    (check_id, title, severity, resource, message, evidence, zones, key, fp, cause, flows, affected, count,
     state, reason, also) = row
    return Finding(check_id, title, severity, table[resource], message, evidence, zones, key, fp, None, cause,
                   flows, tuple(table[a] for a in affected), count, state, reason, also)
