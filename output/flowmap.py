"""`segaudit flows` as text, JSON or CSV: source, destination, connection (np-guard's shape)."""
from __future__ import annotations

import csv
import io
import json

from scanner.questions.flows import Connection


def _connection(c: Connection) -> str:
    return "All Connections" if c.ports.is_all() else " ".join(c.ports.describe())


def _row(c: Connection, by: str) -> dict:
    doc = {"source": c.source, "destination": c.destination, "connection": c.ports.describe()}
    if by == "workload":
        doc |= {"source_zone": c.source_zone, "destination_zone": c.destination_zone}
    else:
        doc |= {"permitted": c.permitted, "violating": c.violating.describe()}
    return doc


def render_text(rows: list[Connection], by: str) -> str:
    lines = []
    for c in rows:
        if by == "workload":
            line = f"{c.source}[{c.source_zone}] => {c.destination}[{c.destination_zone}] : {_connection(c)}"
        else:
            verdict = "" if c.permitted is None else ("  permitted" if c.permitted else
                                                     f"  NOT PERMITTED: {' '.join(c.violating.describe())}")
            line = f"{c.source} => {c.destination} : {_connection(c)}{verdict}"
        lines.append(line)
    lines.append(f"{len(rows)} {'workload' if by == 'workload' else 'zone'} connections")
    return "\n".join(lines) + "\n"


def render_json(rows: list[Connection], by: str) -> str:
    return json.dumps({"by": by, "connections": [_row(c, by) for c in rows]}, indent=2) + "\n"


def render_csv(rows: list[Connection], by: str) -> str:
    buf = io.StringIO()
    extra = ["source_zone", "destination_zone"] if by == "workload" else ["permitted", "violating"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", "destination", "connection", *extra])
    for c in rows:
        doc = _row(c, by)
        writer.writerow([c.source, c.destination, _connection(c),
                         *(" ".join(v) if isinstance(v := doc[k], list) else ("" if v is None else str(v).lower())
                           for k in extra)])
    return buf.getvalue()


RENDER = {"text": render_text, "json": render_json, "csv": render_csv}
