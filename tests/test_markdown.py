"""The Markdown step summary, as GitHub renders it: zone matrix, findings by cause, the
Mermaid zone diagram (checked against the flowchart grammar in mermaid_syntax.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import output
from mermaid_syntax import MermaidSyntaxError, block, parse
from output import markdown
from output.matrix import matrix, sizes
from output.mermaid import COLOURS, flowchart
from reports import FLOWS, GAP, PERMITTED, findings, report, suppressed


def diagram(rep):
    return parse(block(markdown.render(rep)))


def zone_of(d, node_id):
    return d.nodes[node_id].split(":")[0]


def test_matrix_then_findings_by_cause_then_summary_then_diagram():
    rep = report()
    text = output.render("markdown", rep)
    assert (text.index("### Zone matrix") < text.index("### Findings by cause") < text.index("| Severity | Findings |")
            < text.index("```mermaid"))
    assert text.splitlines()[2] == "5 findings (1 critical, 1 high, 1 medium, 1 low, 1 info) from 5 checks; " \
                                   "snapshot complete."
    assert "| critical | 1 |" in text and "| info | 1 |" in text
    assert "| checks run | 5 |" in text and "| collection gaps | 0 |" in text
    for f in rep.findings:
        assert f.resource.id in text


def test_zone_matrix_rows_are_sources_columns_destinations_in_trust_order():
    text = markdown.render(report())
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| from \\ to | internet | dmz | internal | data | management |"
    table = {r.split(" | ")[0][4:-2]: r.strip("| ").split(" | ")[1:] for r in rows[2:7]}
    assert table["internet"] == ["·", "✅ tcp/443", "—", "—", "❌ tcp/22, tcp/3389"]
    assert table["dmz"] == ["—", "·", "◌ unused: tcp/8080", "❌ tcp/5432", "—"]
    assert table["internal"][3] == "◌ unused: tcp/5432"
    assert table["management"][2] == "◌ unused: tcp/22"


def test_a_partly_permitted_flow_says_which_part_is_permitted():
    flows = ({"source": "dmz", "destination": "internal", "ports": ["tcp/all"], "permitted": False,
              "violating_ports": ["tcp/0-8079", "tcp/8081-65535"]},)
    text = markdown.render(report(flows=flows))
    assert "| ❌ all TCP (permitted: only tcp/8080) |" in text


def test_diagram_layers_zones_by_trust_and_colours_each_flow():
    d = diagram(report())
    assert d.direction == "LR"
    layers = [[zone_of(d, n) for n in members] for _, members in d.subgraphs.values()]
    assert layers == [["internet"], ["dmz"], ["internal"], ["data"], ["management"]]
    assert [t for t, _ in d.subgraphs.values()] == ["trust 0", "trust 1", "trust 2", "trust 3", "trust 4"]
    assert d.nodes["zone_internal"] == "internal: 1 subnet, 5 workloads"
    assert d.nodes["zone_internet"] == "internet"  # a zone of addresses holds nothing to count
    edges = {(zone_of(d, e["a"]), zone_of(d, e["b"])): (i, e) for i, e in enumerate(d.edges) if e["arrow"] != "~~~"}
    assert len(edges) == len({(f["source"], f["destination"]) for f in FLOWS + PERMITTED})

    def style(pair):
        i, e = edges[pair]
        return e["arrow"], e["text"], d.link_styles[i]

    arrow, text, css = style(("internet", "dmz"))
    assert (arrow, text) == ("-->", "tcp/443") and f"stroke:{COLOURS['permitted']}" in css
    arrow, text, css = style(("internet", "management"))
    assert (arrow, text) == ("-->", "VIOLATION tcp/22, tcp/3389") and f"stroke:{COLOURS['violating']}" in css
    arrow, text, css = style(("dmz", "internal"))
    assert (arrow, text) == ("-.->", "unused: tcp/8080") and "stroke-dasharray" in css
    assert f"stroke:{COLOURS['unused']}" in css
    invisible = [e for e in d.edges if e["arrow"] == "~~~"]
    assert [(e["a"], e["b"]) for e in invisible] == [("layer_0", "layer_1"), ("layer_1", "layer_2"),
                                                     ("layer_2", "layer_3"), ("layer_3", "layer_4")]
    assert set(d.link_styles) == set(range(len(edges)))  # every arrow styled, the invisible chain not
    assert {n for n, c in d.classes.items() if c == "violated"} == {"zone_management", "zone_data"}


def test_unknown_zones_come_after_the_seeds_zones_by_trust():
    zones = ({"name": "pci", "trust": 9}, {"name": "internal", "trust": 2}, {"name": "workstations", "trust": 1},
             {"name": "internet", "trust": 0})
    permitted = ({"source": "workstations", "destination": "pci", "ports": ["tcp/22"]},
                 {"source": "internet", "destination": "guest", "ports": ["tcp/80"]})
    m = matrix(report(zones=zones, permitted=permitted, flows=()))
    assert m.zones == ("internet", "internal", "workstations", "pci", "guest")
    d = parse("\n".join(flowchart(m, sizes(report(zones=zones)))))
    assert [t for t, _ in d.subgraphs.values()] == ["trust 0", "trust 2", "trust 1", "trust 9", "other zones"]


def test_long_port_lists_are_shortened_on_arrows():
    flows = ({"source": "internet", "destination": "dmz", "ports": [f"tcp/{p}" for p in range(20, 34, 2)],
              "permitted": False, "violating_ports": [f"tcp/{p}" for p in range(20, 34, 2)]},)
    d = diagram(report(flows=flows))
    assert any(e["text"] == "VIOLATION tcp/20, tcp/22, tcp/24 and 4 more" for e in d.edges)


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(str.split)


@settings(max_examples=60, deadline=None)
@given(st.lists(names, min_size=1, max_size=6, unique=True))
def test_any_zone_names_give_a_diagram_mermaid_parses(zone_names):
    zones = tuple({"name": n, "trust": i % 3, "subnets": ["s"], "workloads": 1} for i, n in enumerate(zone_names))
    pairs = list(zip(zone_names, zone_names[1:] + zone_names[:1]))
    flows = tuple({"source": a, "destination": b, "ports": ["tcp/22"], "permitted": False,
                   "violating_ports": ["tcp/22"]} for a, b in pairs if a != b)
    d = diagram(report(zones=zones, flows=flows, permitted=()))
    assert sorted(d.nodes.values()) == sorted(" ".join(n.split()) + ": 1 subnet, 1 workload" for n in zone_names)
    assert len(d.visible_edges()) == len(flows)


def test_odd_zone_names_stay_safe_for_mermaid():
    zones = ({"name": 'pci "data" [eu]', "trust": 3}, {"name": "end", "trust": 1},
             {"name": "a-b", "trust": 2}, {"name": "a_b", "trust": 2}, {"name": "#1 (x|y) <z>", "trust": 2})
    permitted = ({"source": "end", "destination": 'pci "data" [eu]', "ports": ["tcp/443"]},)
    flows = ({"source": "internet", "destination": "#1 (x|y) <z>", "ports": ["tcp/22"], "permitted": False,
              "violating_ports": ["tcp/22"]},)
    d = diagram(report(zones=zones, permitted=permitted, flows=flows))
    assert len(d.nodes) == 6  # five zones plus internet, which only a flow names
    assert set(d.nodes.values()) >= {'pci "data" [eu]', "end", "a-b", "a_b", "#1 (x|y) <z>"}
    assert len({e["a"] for e in d.visible_edges()} | {e["b"] for e in d.visible_edges()}) == 4


GOOD = """flowchart LR
    subgraph layer_0["trust 0"]
        zone_a["a: 1 subnet"]
    end
    zone_b["b #quot;x#quot; #35;1"]
    zone_a -->|"tcp/22, tcp/3389"| zone_b
    zone_b -.-> zone_a
    layer_0 ~~~ zone_b
    linkStyle 0,2 stroke:#cf222e,stroke-width:3px
    linkStyle 1 stroke:#8c959f,stroke-dasharray:4 4
    classDef violated stroke:#cf222e
    class zone_b violated"""


def test_the_checker_reads_a_good_diagram():
    d = parse(GOOD)
    assert d.nodes == {"zone_a": "a: 1 subnet", "zone_b": 'b "x" #1'}
    assert d.subgraphs == {"layer_0": ("trust 0", ["zone_a"])}
    assert [e["text"] for e in d.edges] == ["tcp/22, tcp/3389", None, None]


# Mermaid 11.17's own parser refuses the wrong direction, a keyword as id, an unknown link,
# a linkStyle past the last link and unbalanced subgraphs; the other cases it parses but
# draws other than meant (a cut label, a decoded entity, a new node for a typo).
@pytest.mark.parametrize("bad, line", [
    ("flowchart XY", 'flowchart LR'),  # direction
    ('    zone_b["b "x""]', '    zone_b["b #quot;x#quot; #35;1"]'),  # raw quote ends the string
    ('    zone_b["b <x>"]', '    zone_b["b #quot;x#quot; #35;1"]'),  # HTML
    ('    zone_b["b #1"]', '    zone_b["b #quot;x#quot; #35;1"]'),  # a # that is no entity
    ('    zone_b["`b`"]', '    zone_b["b #quot;x#quot; #35;1"]'),  # Markdown string
    ('    end["b"]', '    zone_b["b #quot;x#quot; #35;1"]'),  # keyword as id
    ('    zone-b["b"]', '    zone_b["b #quot;x#quot; #35;1"]'),  # id with a dash
    ('    zone_a -->|"tcp/22 | 80"| zone_b', '    zone_a -->|"tcp/22, tcp/3389"| zone_b'),  # pipe in a label
    ('    zone_a -->|tcp/22| zone_b', '    zone_a -->|"tcp/22, tcp/3389"| zone_b'),  # unquoted label
    ('    zone_a -> zone_b', '    zone_a -->|"tcp/22, tcp/3389"| zone_b'),  # not a link
    ('    zone_a -->|"x"|zone_b', '    zone_a -->|"tcp/22, tcp/3389"| zone_b'),  # no space
    ('    zone_a -->|"x"| zone_c', '    zone_a -->|"tcp/22, tcp/3389"| zone_b'),  # undeclared
    ('    layer_0 ~~~|"x"| zone_b', '    layer_0 ~~~ zone_b'),  # label on an invisible link
    ("    linkStyle 3 stroke:red", "    linkStyle 1 stroke:#8c959f,stroke-dasharray:4 4"),  # past the last link
    ("    linkStyle 1 stroke:red;", "    linkStyle 1 stroke:#8c959f,stroke-dasharray:4 4"),  # ; ends a statement
    ("    linkStyle 1 stroke red", "    linkStyle 1 stroke:#8c959f,stroke-dasharray:4 4"),  # not property:value
    ("    class zone_b missing", "    class zone_b violated"),  # undefined class
    ("    class zone_c violated", "    class zone_b violated"),  # undeclared node
    ('    subgraph layer 0["x"]', '    subgraph layer_0["trust 0"]'),
    ('        zone_a["a: 1 subnet"]\n    zone_a["again"]', '        zone_a["a: 1 subnet"]'),  # twice
    ("    ", "    end"),  # subgraph left open
    ("    end\n    end", "    end"),  # end without subgraph
])
def test_the_checker_rejects_malformed_diagrams(bad, line):
    assert line in GOOD
    with pytest.raises(MermaidSyntaxError):
        parse(GOOD.replace(line, bad, 1))


def test_findings_are_capped_with_a_count_of_the_rest():
    many = findings(n_per_check=12)  # 60
    text = markdown.render(report(findings=many))
    rows = [line for line in text.splitlines() if line.startswith("- **")]
    assert len(rows) == markdown.TOP
    assert f"… and {len(many) - markdown.TOP} more" in text


def test_findings_are_grouped_under_their_cause_most_severe_first():
    text = markdown.render(report())
    heads = [line for line in text.splitlines() if line.startswith("#### ")]
    assert len(heads) == 5 and heads[0].startswith("#### network vpc-seg101-0")  # the critical one
    first = text.index(heads[0])
    assert text.index("- **critical** SEG101: SEG101 fires on vpc-seg101-0", first) < text.index(heads[1])


def test_suppressed_gaps_and_no_zones():
    base = findings()
    rep = report(findings=(suppressed(base[0]), *base[1:]), gaps=(GAP,), zones=(), flows=(), permitted=(),
                 notes=("suppressions.yml: suppression of SEG101 on x expired on 2020-01-01",))
    text = markdown.render(rep)
    assert "| suppressed | 1 |" in text and "| critical | 0 |" in text
    assert "**incomplete**: 1 collection gaps" in text
    assert "not collected: aws/123456789012/ap-south-1/ec2 DescribeSecurityGroups" in text
    assert "expired on 2020-01-01" in text
    assert "```mermaid" not in text and "### Zone matrix" not in text
    assert base[0].resource.id not in text  # a suppressed finding is counted, not listed


def test_table_cells_cannot_break_the_table():
    assert markdown.cell("a | b\nc") == "a \\| b c"
