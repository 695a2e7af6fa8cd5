"""The zone diagram as inline SVG, drawn by segaudit itself (no script, no font, no network).

Zones stand in one row from least to most trusted, each trust layer a band behind its
zones. Flows are arcs: towards more trusted zones above the row, back towards less trusted
ones below, higher the farther they go, so no arc crosses a box and two labels never
share a place. Colours as in the Mermaid diagram: green permitted, red violating, grey
dashed permitted but unused; every arc has a <title> with the cell in words.
"""
from __future__ import annotations

from html import escape

from output.matrix import PERMITTED, UNUSED, VIOLATING, Matrix
from output.mermaid import COLOURS, LABEL_PORTS, layer_title

BOX_W, BOX_H, GAP, BAND = 168, 58, 56, 14
ARC_BASE, ARC_STEP = 26, 30
WIDTH = {PERMITTED: 2, VIOLATING: 3, UNUSED: 1.5}


def _path(x0: int, y0: int, x1: int, y1: int, lift: int) -> str:
    return f"M{x0},{y0} Q{(x0 + x1) // 2},{y0 + 2 * lift} {x1},{y1}"


def _spread(edges: list, column: dict[str, int]) -> dict[tuple[str, str, str], int]:
    """Where each arc meets its boxes, off centre: above the row arcs leave right of centre
    and arrive left of it, below the other way round; shorter arcs nearer the centre."""
    ends: dict[tuple[str, bool, str], list[tuple[int, str, str]]] = {}
    for c in edges:
        above = column[c.destination] > column[c.source]
        span = abs(column[c.destination] - column[c.source])
        ends.setdefault((c.source, above, "out"), []).append((span, c.source, c.destination))
        ends.setdefault((c.destination, above, "in"), []).append((span, c.source, c.destination))
    shift = {}
    for (_, above, role), items in ends.items():
        sign = 1 if above == (role == "out") else -1
        for k, (_, src, dst) in enumerate(sorted(items)):
            shift[(src, dst, role)] = sign * min(12 + 10 * k, BOX_W // 2 - 8)
    return shift


def render(m: Matrix, sizes: dict[str, str]) -> str:
    column = {z: i for i, z in enumerate(m.zones)}
    edges = m.edges()
    spans = [abs(column[c.destination] - column[c.source]) for c in edges] or [0]
    top = BAND + 24 + ARC_BASE + ARC_STEP * max(spans)  # room for the highest arc and its label
    bottom = 24 + ARC_BASE + ARC_STEP * max(spans)
    width = GAP + len(m.zones) * (BOX_W + GAP)
    height = top + BOX_H + BAND + bottom
    x_of = {z: GAP + i * (BOX_W + GAP) for i, z in enumerate(m.zones)}
    out = [f'<svg class="zones" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="Zones from least to most trusted and the flows between them">',
           "<defs>"]
    for state, colour in COLOURS.items():
        out.append(f'<marker id="arrow-{state}" viewBox="0 0 10 10" refX="9" refY="5" '
                   'markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    for layer in m.layers():
        x0, x1 = x_of[layer[0]] - GAP // 4, x_of[layer[-1]] + BOX_W + GAP // 4
        out.append(f'<rect class="layer" x="{x0}" y="{top - BAND - 18}" width="{x1 - x0}" '
                   f'height="{BOX_H + 2 * BAND + 18}" rx="8"/>')
        out.append(f'<text class="layer-title" x="{x0 + 8}" y="{top - BAND - 4}">'
                   f"{escape(layer_title(layer, m.trust))}</text>")
    hit = {c.destination for c in edges if c.state == VIOLATING}
    for zone in m.zones:
        x = x_of[zone]
        cls = "zone violated" if zone in hit else "zone"
        out.append(f'<g class="{cls}"><title>{escape(zone)}</title>'
                   f'<rect x="{x}" y="{top}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
                   f'<text class="zone-name" x="{x + BOX_W // 2}" y="{top + 24}">{escape(zone)}</text>'
                   f'<text class="zone-size" x="{x + BOX_W // 2}" y="{top + 44}">'
                   f'{escape(sizes.get(zone, ""))}</text></g>')
    shift = _spread(edges, column)
    for c in edges:
        a, b = column[c.source], column[c.destination]
        lift = ARC_BASE + ARC_STEP * abs(b - a)
        ax, bx = x_of[c.source] + BOX_W // 2, x_of[c.destination] + BOX_W // 2
        out_x, in_x = ax + shift[(c.source, c.destination, "out")], bx + shift[(c.source, c.destination, "in")]
        if b > a:  # towards more trust: over the row
            d = _path(out_x, top, in_x, top, -lift)
            label_y = top - lift - 4
        else:
            d = _path(out_x, top + BOX_H, in_x, top + BOX_H, lift)
            label_y = top + BOX_H + lift + 12
        dash = ' stroke-dasharray="5 4"' if c.state == UNUSED else ""
        out.append(f'<g class="flow {c.state}"><title>{escape(f"{c.source} to {c.destination}: {c.state}, ")}'
                   f"{escape(c.describe())}</title>"
                   f'<path d="{d}" fill="none" stroke="{COLOURS[c.state]}" stroke-width="{WIDTH[c.state]}"{dash} '
                   f'marker-end="url(#arrow-{c.state})"/>'
                   f'<text class="flow-label" x="{(ax + bx) // 2}" y="{label_y}" fill="{COLOURS[c.state]}">'
                   f"{escape(c.label(LABEL_PORTS))}</text></g>")
    out.append("</svg>")
    return "\n".join(out)
