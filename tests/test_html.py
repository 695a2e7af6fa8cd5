"""--format html: valid HTML5, self-contained, the matrix, the inline SVG diagram,
findings by cause with evidence folded, filters that need no network; the same bytes
for the same report."""
from __future__ import annotations

import json
from dataclasses import replace

import html5lib
import pytest
from click.testing import CliRunner

import output
from output import html
from reports import FLOWS, GAP, PERMITTED, ZONES, findings, report, suppressed
from scanner.cli import main
from test_cli import SAMPLE

SVG = "{http://www.w3.org/2000/svg}"
# Where a page names something the browser fetches when it shows the page.
FETCHED = {"script": "src", "link": "href", "img": "src", "iframe": "src", "embed": "src", "object": "data",
           "source": "src", "video": "src", "audio": "src", "track": "src", "input": "src"}


def parse(text: str):
    """Strict: the first parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(text)


def classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def test_valid_html5_in_strict_mode():
    for rep in (report(), report(zones=(), flows=(), permitted=(), findings=()),
                report(gaps=(GAP,), notes=("a note <b>&</b>",), findings=(suppressed(findings()[0]),))):
        doc = parse(html.render(rep))
        assert doc.tag == "html" and doc.get("lang") == "en"


def test_a_hostile_name_is_text_not_markup():
    zones = (*ZONES, {"name": '<script>alert("x")</script>', "trust": 5, "subnets": [], "workloads": 0})
    flows = ({"source": "internet", "destination": zones[-1]["name"], "ports": ["tcp/22"], "permitted": False,
              "violating_ports": ["tcp/22"]},)
    f = findings()[0]
    evil = replace(f, message='"><img src=x onerror=alert(1)>', evidence=("</details><script>x()</script>",))
    doc = parse(html.render(report(zones=zones, flows=flows, findings=(evil,))))
    assert len(doc.findall(".//script")) == 1  # the page's own filter script
    assert not doc.findall(".//img")
    assert '<script>alert("x")</script>' in [text_of(th) for th in doc.findall(".//table[@class='matrix']//th")]


def test_opens_offline_nothing_is_fetched():
    text = html.render(report())
    doc = parse(text)
    for el in doc.iter():
        tag = el.tag.replace(SVG, "") if isinstance(el.tag, str) else ""
        attr = FETCHED.get(tag)
        assert attr is None or not el.get(attr), (tag, el.attrib)
        for name, value in el.attrib.items():
            if tag == "a":
                continue  # a link is followed when clicked, never fetched to show the page
            if name.endswith("href"):
                assert value.startswith("#"), (tag, name, value)  # only the page's own fragments
            assert "//" not in value, (tag, name, value)
    (style,) = doc.findall(".//style")
    assert "@import" not in style.text and "url(" not in style.text
    (script,) = doc.findall(".//script")
    assert not script.get("src") and "fetch(" not in script.text and "XMLHttpRequest" not in script.text
    assert "http://" not in text and "https://" not in text.replace('href="https://example.org/seg"', "")


def test_summary_and_zone_matrix():
    doc = parse(html.render(report()))
    summary = doc.find(".//section[@id='summary']")
    rows = {text_of(tr.find("th")): text_of(tr.find("td")) for tr in summary.iter("tr") if tr.find("td") is not None}
    assert rows["critical"] == "1" and rows["checks run"] == "5" and rows["collection gaps"] == "0"
    table = doc.find(".//table[@class='matrix']")
    head = [text_of(th) for th in table.find("thead").iter("th")]
    assert head == ["from \\ to", "internet", "dmz", "internal", "data", "management"]
    body = {text_of(tr.find("th")): tr.findall("td") for tr in table.find("tbody").iter("tr")}
    assert list(body) == head[1:]
    cell = body["internet"][4]  # internet -> management
    assert classes(cell) == {"violating"} and text_of(cell) == "❌ tcp/22, tcp/3389"
    assert classes(body["internet"][1]) == {"permitted"} and text_of(body["internet"][1]) == "✅ tcp/443"
    assert classes(body["dmz"][2]) == {"unused"}
    assert classes(body["data"][3]) == {"same"} and classes(body["data"][0]) == {"none"}


def test_inline_svg_diagram_layers_zones_and_colours_flows():
    doc = parse(html.render(report()))
    (svg,) = doc.iter(SVG + "svg")
    zones = [text_of(g.find(SVG + "text")) for g in svg.iter(SVG + "g") if "zone" in classes(g)]
    assert zones == ["internet", "dmz", "internal", "data", "management"]
    flows = [g for g in svg.iter(SVG + "g") if "flow" in classes(g)]
    states = sorted(next(iter(classes(g) - {"flow"})) for g in flows)
    pairs = {(f["source"], f["destination"]) for f in FLOWS + PERMITTED}
    assert len(flows) == len(pairs)
    assert states.count("violating") == sum(1 for f in FLOWS if f["violating_ports"])
    assert states.count("permitted") == 1 and states.count("unused") == 3
    for g in flows:
        path = g.find(SVG + "path")
        assert path.get("marker-end").startswith("url(#arrow-")
        assert (path.get("stroke-dasharray") is not None) == ("unused" in classes(g))
        assert text_of(g.find(SVG + "title"))  # the cell in words, as a tooltip
    layers = [text_of(t) for t in svg.iter(SVG + "text") if "layer-title" in classes(t)]
    assert layers == ["trust 0", "trust 1", "trust 2", "trust 3", "trust 4"]
    violated = [text_of(g.find(SVG + "text")) for g in svg.iter(SVG + "g") if "violated" in classes(g)]
    assert violated == ["data", "management"]


def test_findings_by_cause_with_evidence_folded_and_filters():
    many = findings(n_per_check=2)
    doc = parse(html.render(report(findings=many)))
    causes = doc.findall(".//section[@id='findings']/section")
    assert len(causes) == len(many) and all("cause" in classes(c) for c in causes)
    assert "sev-critical" in classes(causes[0])  # most severe cause first
    for f, div in zip(sorted(many, key=lambda f: f.sort_key), doc.iter("div")):
        assert div.get("data-severity") == f.severity and div.get("data-check") == f.check_id
        details = div.find("details")
        assert details is not None and details.get("open") is None
        assert [text_of(li) for li in details.iter("li")] == list(f.evidence)
        assert f"Fix {f.check_id}." in text_of(details)
    form = doc.find(".//form[@id='filters']")
    assert form.get("hidden") is not None  # shown by the script: without JavaScript nothing hides a finding
    boxes = {(i.get("name"), i.get("value")) for i in form.iter("input")}
    assert boxes == {("severity", s) for s in ("critical", "high", "medium", "low", "info")} | {
        ("check", c) for c in ("SEG101", "SEG201", "SEG301", "SEG401", "SEG601")}
    assert all(i.get("checked") is not None for i in form.iter("input"))
    css = doc.find(".//style").text
    assert ".filtered{display:none}" in css


def test_same_bytes_for_the_same_report_in_any_order():
    rep = report(findings=findings(n_per_check=3))
    shuffled = replace(rep, findings=tuple(reversed(rep.findings)), zones=tuple(reversed(rep.zones)),
                       flows=tuple(reversed(rep.flows)), permitted=tuple(reversed(rep.permitted)))
    assert html.render(rep) == html.render(rep) == html.render(shuffled)


def test_cli_writes_the_html_report(tmp_path):
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    res = CliRunner().invoke(main, ["audit", SAMPLE, "--format", "html", "--output", str(out),
                                    "--format", "json", "--output", str(js), "--fail-on", "none"])
    assert res.exit_code == 0, res.output
    doc = parse(out.read_text(encoding="utf-8"))
    n = len(json.loads(js.read_text())["findings"])
    assert len([d for d in doc.iter("div") if "finding" in classes(d)]) == n
    assert next(doc.iter(SVG + "svg")) is not None
    assert output.render("html", report()) == html.render(report())


@pytest.mark.parametrize("fmt", sorted(output.FORMATS))
def test_every_format_renders_an_empty_report(fmt):
    assert output.render(fmt, report(findings=(), zones=(), flows=(), permitted=()))
