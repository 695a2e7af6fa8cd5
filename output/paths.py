"""`segaudit paths` as text, JSON or Markdown (the top paths as a Mermaid graph)."""
from __future__ import annotations

import json
import re

from scanner.questions.paths import Paths


def doc(result: Paths) -> dict:
    return {
        "max_hops": result.max_hops,
        "targets": result.targets,
        "reachable": result.reachable,
        "paths": [{"target": p.target, "zone": p.zone, "hops": len(p.steps),
                   "steps": [{"from": s.source, "to": s.destination, "ports": list(s.ports), "rules": list(s.rules)}
                             for s in p.steps]} for p in result.paths],
        "blast_radius": [{"foothold": b.foothold, "zone": b.zone,
                          "within": {str(i): counts for i, counts in enumerate(b.within, 1)}} for b in result.blast],
    }


def render_json(result: Paths) -> str:
    return json.dumps(doc(result), indent=2) + "\n"


def _counts(counts: dict) -> str:
    return ", ".join(f"{z} {n}" for z, n in counts.items()) or "nothing"


def render_text(result: Paths) -> str:
    lines = [f"{result.reachable} of {result.targets} targets reachable within {result.max_hops} hops"]
    for p in result.paths:
        lines.append(f"{p.target} [{p.zone}] in {len(p.steps)} hops:")
        for s in p.steps:
            lines.append(f"  {s.source} -> {s.destination} on {' '.join(s.ports)}")
            lines += [f"      {r}" for r in s.rules]
    for b in result.blast:
        lines.append(f"blast radius of {b.foothold} [{b.zone}]: "
                     + "; ".join(f"{i} hops: {_counts(c)}" for i, c in enumerate(b.within, 1)))
    return "\n".join(lines) + "\n"


def _node(name: str, ids: dict[str, str]) -> str:
    return ids.setdefault(name, f"n{len(ids)}")


def mermaid(result: Paths) -> list[str]:
    ids: dict[str, str] = {}
    lines, edges = ["```mermaid", "graph LR"], {}
    for p in result.paths:
        for s in p.steps:
            edges.setdefault((s.source, s.destination), " ".join(s.ports))
    for (a, b), ports in edges.items():
        na, nb = _node(a, ids), _node(b, ids)
        lines.append(f'  {na}["{_label(a)}"] -->|"{_label(ports)}"| {nb}["{_label(b)}"]')
    return lines + ["```"]


def _label(text: str) -> str:
    return re.sub(r'["\[\]|<>]', "", text)[-60:]


def render_markdown(result: Paths) -> str:
    lines = [f"### Attack paths ({result.reachable} of {result.targets} targets within {result.max_hops} hops)", ""]
    if result.paths:
        lines += mermaid(result) + ["", "| Target | Zone | Hops | Path |", "| --- | --- | --- | --- |"]
        for p in result.paths:
            chain = " → ".join([p.steps[0].source, *(f"{s.destination} ({' '.join(s.ports)})" for s in p.steps)])
            lines.append(f"| `{p.target}` | {p.zone} | {len(p.steps)} | {chain} |")
    else:
        lines.append("No path found.")
    if result.blast:
        lines += ["", "| Foothold | " + " | ".join(f"Within {i}" for i in range(1, result.max_hops + 1)) + " |",
                  "| --- |" + " --- |" * result.max_hops]
        for b in result.blast:
            lines.append(f"| `{b.foothold}` | " + " | ".join(_counts(c) for c in b.within) + " |")
    return "\n".join(lines) + "\n"


RENDER = {"text": render_text, "json": render_json, "markdown": render_markdown}
