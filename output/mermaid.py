"""The zone diagram as a Mermaid flowchart (GitHub renders Mermaid 11).

One box per zone, each trust layer a subgraph, the layers chained left to right by
invisible links so the least trusted zone comes first. One arrow per zone pair: solid
where something flows and the policy permits it, solid red where it violates the policy,
grey dashed where the policy permits a flow nothing uses. Labels name at most LABEL_PORTS
ports. linkStyle counts every link in the order written, the invisible ones included, so
the real arrows come first.
"""
from __future__ import annotations

import re

from output.matrix import PERMITTED, UNUSED, VIOLATING, Matrix

LABEL_PORTS = 3
COLOURS = {PERMITTED: "#1a7f37", VIOLATING: "#cf222e", UNUSED: "#8c959f"}
_LINK_STYLE = {
    PERMITTED: f"stroke:{COLOURS[PERMITTED]},stroke-width:2px",
    VIOLATING: f"stroke:{COLOURS[VIOLATING]},stroke-width:3px,color:{COLOURS[VIOLATING]}",
    UNUSED: f"stroke:{COLOURS[UNUSED]},stroke-width:1px,stroke-dasharray:4 4,color:{COLOURS[UNUSED]}",
}
# Mermaid decodes #name; and #number; inside labels; these characters would end or bend
# the label otherwise.
_ESCAPES = {"#": "#35;", '"': "#quot;", "[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;",
            "{": "#123;", "}": "#125;", "<": "#60;", ">": "#62;", "|": "#124;", "`": "#96;"}


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: no raw quotes, brackets or pipes."""
    text = " ".join(str(text).split())
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


class Ids:
    """Mermaid ids from names: letters, digits and _ only, unique, never a keyword
    (every id has a prefix and an underscore, which no keyword has)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}

    def __call__(self, prefix: str, name: str) -> str:
        key = (prefix, name)
        if key not in self.ids:
            base = f"{prefix}_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
            node, n = base, 1
            taken = set(self.ids.values())
            while node in taken:
                n += 1
                node = f"{base}_{n}"
            self.ids[key] = node
        return self.ids[key]


def layer_title(zones: tuple[str, ...], trust: dict) -> str:
    levels = sorted({str(trust[z]) for z in zones if trust.get(z) is not None})
    return f"trust {', '.join(levels)}" if levels else "other zones"


def flowchart(m: Matrix, sizes: dict[str, str]) -> list[str]:
    """`sizes`: the zone's line under its name (subnets and workloads), by zone."""
    ids = Ids()
    lines = ["flowchart LR"]
    layers = m.layers()
    for i, layer in enumerate(layers):
        lines.append(f'    subgraph {ids("layer", str(i))}["{label(layer_title(layer, m.trust))}"]')
        for zone in layer:
            name = " ".join(zone.split())
            text = f"{name}: {sizes[zone]}" if sizes.get(zone) else name
            lines.append(f'        {ids("zone", zone)}["{label(text)}"]')
        lines.append("    end")
    styles: dict[str, list[int]] = {}
    edges = m.edges()
    for n, c in enumerate(edges):
        arrow = "-.->" if c.state == UNUSED else "-->"
        text = c.label(LABEL_PORTS)
        lines.append(f'    {ids("zone", c.source)} {arrow}|"{label(text)}"| {ids("zone", c.destination)}')
        styles.setdefault(c.state, []).append(n)
    for a, b in zip(range(len(layers)), range(1, len(layers))):
        lines.append(f'    {ids("layer", str(a))} ~~~ {ids("layer", str(b))}')
    for state in (PERMITTED, VIOLATING, UNUSED):
        if state in styles:
            lines.append(f"    linkStyle {','.join(map(str, styles[state]))} {_LINK_STYLE[state]}")
    hit = sorted({ids("zone", c.destination) for c in edges if c.state == VIOLATING})
    if hit:
        lines.append(f"    classDef violated stroke:{COLOURS[VIOLATING]},stroke-width:2px")
        lines.append(f"    class {','.join(hit)} violated")
    return lines
