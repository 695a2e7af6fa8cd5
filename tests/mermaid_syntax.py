"""A line-by-line checker for the Mermaid 11 flowchart subset segaudit writes.

It follows the token rules of Mermaid's flowchart grammar (flow.jison) where they can be
checked offline, and is stricter where Mermaid would silently guess:
- header `flowchart DIR` (DIR one of TB TD BT RL LR);
- ids are letters, digits and _ (starting with a letter or _), never a keyword (Mermaid
  breaks on a node called `end`), declared once, as a node or a subgraph;
- quoted text ("..."): Mermaid's string ends at the next `"`; a backtick right after the
  quote turns it into a Markdown string; `#...;` is decoded as an entity, so every `#`
  must start an entity; `<`, `>` would be read as HTML, `|` ends an edge label;
- node `ID["text"]`, subgraph `subgraph ID["text"]` ... `end`, balanced;
- edges `A --> B`, `A -.-> B`, `A ==> B`, `A --- B`, `A ~~~ B` (invisible, no label),
  optionally labelled `A -->|"text"| B`; both ends declared (Mermaid would make a new
  node for a mistyped id);
- `linkStyle N[,N...] STYLES` where each N is below the number of links in the diagram
  (Mermaid counts invisible links too, and fails on an index past the last link);
- `classDef NAME STYLES`, `class ID[,ID...] NAME` with NAME defined and the ids declared;
- STYLES: `property:value` pairs separated by commas, no `;` (which ends a statement).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

DIRECTIONS = {"TB", "TD", "BT", "RL", "LR"}
KEYWORDS = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "linkstyle", "click",
            "call", "href", "default", "interpolate", "direction", "flowchart-elk"}
ID = r"[A-Za-z_][A-Za-z0-9_]*"
STR = r'"(?P<{name}>[^"]*)"'
ARROWS = {"-->", "-.->", "==>", "---", "-.-", "~~~"}
ENTITY = re.compile(r"#(?:[0-9]+|[A-Za-z]+);")

NODE = re.compile(rf"^(?P<id>{ID})\[{STR.format(name='text')}\]$")
SUBGRAPH = re.compile(rf"^subgraph (?P<id>{ID})(?:\[{STR.format(name='text')}\])?$")
EDGE = re.compile(rf"^(?P<a>{ID}) (?P<arrow>\S+?)(?:\|{STR.format(name='text')}\|)? (?P<b>{ID})$")
LINKSTYLE = re.compile(r"^linkStyle (?P<ids>\d+(?:,\d+)*) (?P<styles>.+)$")
CLASSDEF = re.compile(rf"^classDef (?P<name>{ID}) (?P<styles>.+)$")
CLASS = re.compile(rf"^class (?P<ids>{ID}(?:,{ID})*) (?P<name>{ID})$")
STYLE_ITEM = re.compile(r"^[a-z-]+:[^,;:]+$")


class MermaidSyntaxError(AssertionError):
    pass


@dataclass
class Diagram:
    direction: str
    nodes: dict[str, str] = field(default_factory=dict)  # id: decoded text
    subgraphs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id: (text, member ids)
    edges: list[dict] = field(default_factory=list)  # a, arrow, text (decoded or None), b
    link_styles: dict[int, str] = field(default_factory=dict)
    class_defs: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)  # node id: class name

    def visible_edges(self) -> list[dict]:
        return [e for e in self.edges if e["arrow"] != "~~~"]


def _text(raw: str | None, where: str) -> str | None:
    if raw is None:
        return None
    if raw.startswith("`"):
        raise MermaidSyntaxError(f"{where}: a backtick after the quote makes a Markdown string")
    if set(raw) & set("<>|`\n"):
        raise MermaidSyntaxError(f"{where}: {raw!r} holds a character Mermaid reads as markup")
    if "#" in ENTITY.sub("", raw):
        raise MermaidSyntaxError(f"{where}: {raw!r} has a # that does not start an entity")
    # Mermaid's #35; and #quot; are HTML's &#35; and &quot;
    return html.unescape(ENTITY.sub(lambda m: ("&#" if m.group(0)[1].isdigit() else "&") + m.group(0)[1:], raw))


def _styles(raw: str, where: str) -> str:
    items = raw.split(",")
    if not all(STYLE_ITEM.match(i) for i in items):
        raise MermaidSyntaxError(f"{where}: {raw!r} is not property:value pairs separated by commas")
    return raw


def _id(name: str, where: str) -> str:
    if name.lower() in KEYWORDS:
        raise MermaidSyntaxError(f"{where}: {name!r} is a Mermaid keyword, not an id")
    return name


def parse(text: str) -> Diagram:
    lines = [line for line in text.splitlines() if line.strip() and not line.strip().startswith("%%")]
    if not lines:
        raise MermaidSyntaxError("empty diagram")
    head = lines[0].split()
    if len(head) != 2 or head[0] != "flowchart" or head[1] not in DIRECTIONS:
        raise MermaidSyntaxError(f"line 1: {lines[0]!r} is not 'flowchart DIR'")
    d = Diagram(head[1])
    declared: set[str] = set()
    open_subgraphs: list[str] = []
    styled: list[tuple[int, str]] = []
    classed: list[tuple[str, str, str]] = []

    def declare(node_id: str, where: str) -> None:
        if node_id in declared:
            raise MermaidSyntaxError(f"{where}: {node_id!r} is declared twice")
        declared.add(node_id)
        if open_subgraphs:
            d.subgraphs[open_subgraphs[-1]][1].append(node_id)

    for n, line in enumerate(lines[1:], start=2):
        where = f"line {n}"
        s = line.strip()
        if s == "end":
            if not open_subgraphs:
                raise MermaidSyntaxError(f"{where}: 'end' without a subgraph")
            open_subgraphs.pop()
        elif s.startswith("subgraph"):
            m = SUBGRAPH.match(s)
            if not m:
                raise MermaidSyntaxError(f"{where}: {s!r} is not 'subgraph ID[\"text\"]'")
            sid = _id(m["id"], where)
            declare(sid, where)
            d.subgraphs[sid] = (_text(m["text"], where) or sid, [])
            open_subgraphs.append(sid)
        elif s.startswith("linkStyle"):
            m = LINKSTYLE.match(s)
            if not m:
                raise MermaidSyntaxError(f"{where}: {s!r} is not 'linkStyle N[,N] styles'")
            for i in m["ids"].split(","):
                styled.append((int(i), where))
                d.link_styles[int(i)] = _styles(m["styles"], where)
        elif s.startswith("classDef"):
            m = CLASSDEF.match(s)
            if not m:
                raise MermaidSyntaxError(f"{where}: {s!r} is not 'classDef NAME styles'")
            d.class_defs[m["name"]] = _styles(m["styles"], where)
        elif s.startswith("class "):
            m = CLASS.match(s)
            if not m:
                raise MermaidSyntaxError(f"{where}: {s!r} is not 'class ID[,ID] NAME'")
            classed += [(i, m["name"], where) for i in m["ids"].split(",")]
        elif m := NODE.match(s):
            node_id = _id(m["id"], where)
            declare(node_id, where)
            d.nodes[node_id] = _text(m["text"], where)
        elif m := EDGE.match(s):
            if m["arrow"] not in ARROWS:
                raise MermaidSyntaxError(f"{where}: {m['arrow']!r} is not a flowchart link")
            if m["arrow"] == "~~~" and m["text"] is not None:
                raise MermaidSyntaxError(f"{where}: an invisible link carries no label")
            for end in (m["a"], m["b"]):
                if _id(end, where) not in declared:
                    raise MermaidSyntaxError(f"{where}: {end!r} is not declared before it is linked")
            d.edges.append({"a": m["a"], "arrow": m["arrow"], "text": _text(m["text"], where), "b": m["b"]})
        else:
            raise MermaidSyntaxError(f"{where}: {s!r} is no statement this checker knows")
    if open_subgraphs:
        raise MermaidSyntaxError(f"subgraph {open_subgraphs[-1]!r} has no 'end'")
    for i, where in styled:
        if i >= len(d.edges):
            raise MermaidSyntaxError(f"{where}: linkStyle {i} but the diagram has {len(d.edges)} links")
    for node_id, name, where in classed:
        if name not in d.class_defs or node_id not in declared:
            raise MermaidSyntaxError(f"{where}: class {node_id} {name}: unknown node or class")
        d.classes[node_id] = name
    return d


def block(markdown: str) -> str:
    """The one ```mermaid block of a Markdown document."""
    lines = markdown.splitlines()
    start = lines.index("```mermaid")
    end = lines.index("```", start + 1)
    return "\n".join(lines[start + 1:end])
