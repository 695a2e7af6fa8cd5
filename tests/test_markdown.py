"""The Markdown step summary, as GitHub renders it."""
from __future__ import annotations

import re

import output
from output import markdown
from reports import FLOWS, GAP, PERMITTED, ZONES, findings, report, suppressed

NODE = re.compile(r'^    (?P<id>[A-Za-z][A-Za-z0-9_]*)\["(?P<label>[^"]*)"\]$')
EDGE = re.compile(r'^    (?P<a>[A-Za-z][A-Za-z0-9_]*) (?P<arrow>-->|-\.->)\|"(?P<label>[^"]*)"\| (?P<b>[A-Za-z][A-Za-z0-9_]*)$')
STYLE = re.compile(r"^    linkStyle (?P<i>\d+) stroke:red,stroke-width:2px,color:red$")
MERMAID_WORDS = {"end", "graph", "flowchart", "subgraph", "style", "class", "click", "linkStyle", "classDef"}


def mermaid(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("```mermaid")
    end = lines.index("```", start + 1)
    return lines[start + 1:end]


def parse(block: list[str]):
    assert block[0] == "flowchart LR"
    nodes, edges, styles = {}, [], []
    for line in block[1:]:
        if m := NODE.match(line):
            nodes[m["id"]] = m["label"]
        elif m := EDGE.match(line):
            edges.append(m.groupdict())
        elif m := STYLE.match(line):
            styles.append(int(m["i"]))
        else:
            raise AssertionError(f"line Mermaid may not parse: {line!r}")
    return nodes, edges, styles


def assert_renders(text: str):
    nodes, edges, styles = parse(mermaid(text))
    for node_id, label in nodes.items():
        assert node_id not in MERMAID_WORDS
        assert not set(label) & set('"[](){}<>|`'), label
    for e in edges:
        assert e["a"] in nodes and e["b"] in nodes, e
        assert not set(e["label"]) & set('"[](){}<>|`'), e
    assert sorted(styles) == [i for i, e in enumerate(edges) if e["arrow"] == "-.->"]
    return nodes, edges


def test_summary_then_findings_then_zone_flowchart():
    rep = report()
    text = output.render("markdown", rep)
    assert text.index("| Severity | Findings |") < text.index("### Findings") < text.index("```mermaid")
    assert "| critical | 1 |" in text and "| info | 1 |" in text
    assert "| checks run | 5 |" in text and "| collection gaps | 0 |" in text
    for f in rep.findings:
        assert f.resource.id in text
    nodes, edges = assert_renders(text)
    assert set(nodes.values()) >= {"internet: trust 0, 0 subnets, 0 workloads",
                                  "internal: trust 2, 1 subnets, 5 workloads"}
    permitted = [e for e in edges if e["arrow"] == "-->"]
    violations = [e for e in edges if e["arrow"] == "-.->"]
    assert len(permitted) == len(PERMITTED)
    assert len(violations) == sum(1 for f in FLOWS if f["violating_ports"])
    by_label = {e["label"]: (nodes[e["a"]].split(":")[0], nodes[e["b"]].split(":")[0]) for e in violations}
    assert by_label == {"VIOLATION tcp/22, tcp/3389": ("internet", "management"),
                        "VIOLATION tcp/5432": ("dmz", "data")}


def test_odd_zone_names_stay_safe_for_mermaid():
    zones = ({"name": 'pci "data" [eu]', "trust": 3}, {"name": "end", "trust": 1},
             {"name": "a-b", "trust": 2}, {"name": "a_b", "trust": 2}, {"name": "#1 (x|y) <z>", "trust": 2})
    permitted = ({"source": "end", "destination": 'pci "data" [eu]', "ports": ["tcp/443"]},
                 {"source": "a-b", "destination": "a_b", "ports": []})
    flows = ({"source": "internet", "destination": "#1 (x|y) <z>", "ports": ["tcp/22"], "permitted": False,
              "violating_ports": [f"tcp/{p}" for p in range(20, 27)]},)
    text = markdown.render(report(zones=zones, permitted=permitted, flows=flows))
    nodes, edges = assert_renders(text)
    assert len(nodes) == 6  # five zones plus internet, which only a flow names
    assert len(set(nodes)) == 6
    assert any(e["label"] == "VIOLATION tcp/20, tcp/21, tcp/22, tcp/23 +3" for e in edges)
    assert any(e["label"] == "any" for e in edges)


def test_findings_are_capped_with_a_count_of_the_rest():
    many = findings(n_per_check=12)  # 60
    text = markdown.render(report(findings=many))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "vpc-" in line]
    assert len(rows) == markdown.TOP
    assert f"… and {len(many) - markdown.TOP} more" in text


def test_suppressed_gaps_and_no_zones():
    base = findings()
    rep = report(findings=(suppressed(base[0]), *base[1:]), gaps=(GAP,), zones=(), flows=(), permitted=(),
                 notes=("suppressions.yml: suppression of SEG101 on x expired on 2020-01-01",))
    text = markdown.render(rep)
    assert "| suppressed | 1 |" in text and "| critical | 0 |" in text
    assert "**incomplete**: 1 collection gaps" in text
    assert "not collected: aws/123456789012/ap-south-1/ec2 DescribeSecurityGroups" in text
    assert "expired on 2020-01-01" in text
    assert "```mermaid" not in text
    assert base[0].resource.id not in text  # a suppressed finding is counted, not listed


def test_table_cells_cannot_break_the_table():
    assert markdown.cell("a | b\nc") == "a \\| b c"
