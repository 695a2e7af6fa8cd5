"""--format html: one self-contained page to open in a browser, offline.

Summary, zone matrix, the zone diagram as inline SVG (output/svg.py), findings grouped by
cause with their evidence folded in <details>, gaps and notes. CSS and the filter script
are inline; nothing is fetched when the page is viewed. Without JavaScript every finding
shows and the filters stay hidden; with it, checkboxes filter by severity and by check.
Same report, same bytes: no clock, everything in a fixed order.
"""
from __future__ import annotations

from html import escape

from output import RenderOptions, problems
from output.causes import by_cause, where
from output.matrix import MARKS, SAME, Matrix, matrix, sizes
from output.mermaid import COLOURS
from output.svg import render as svg
from scanner.findings import SEVERITIES, Finding
from scanner.report import Report

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f6f8fa}td.num{text-align:right}
table.matrix td{min-width:90px}td.permitted{background:#dafbe1}td.violating{background:#ffebe9;font-weight:600}
td.unused{color:#57606a;background:#f6f8fa}td.same,td.none{color:#8c959f;text-align:center}
.mark{display:inline-block;min-width:1.2em}
.zones{max-width:100%;height:auto;display:block}.layer{fill:#f6f8fa;stroke:#d0d7de}
.layer-title{font-size:11px;fill:#57606a}.zone rect{fill:#fff;stroke:#57606a;stroke-width:1.5}
.zone.violated rect{stroke:#cf222e;stroke-width:2.5}.zone-name{font-weight:600;text-anchor:middle}
.zone-size{font-size:11px;fill:#57606a;text-anchor:middle}
.flow-label{font-size:11px;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:4px}
.legend span{margin-right:16px}.swatch{display:inline-block;width:24px;height:0;vertical-align:middle;
margin-right:4px;border-top:3px solid}
.cause{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin:10px 0}
.finding{border-top:1px solid #eaeef2;padding:6px 0}.finding:first-of-type{border-top:0}
.finding p{margin:2px 0}.sev{display:inline-block;min-width:62px;font-weight:700;text-transform:uppercase;
font-size:12px}.sev-critical .sev{color:#8250df}.sev-high .sev{color:#cf222e}.sev-medium .sev{color:#9a6700}
.sev-low .sev{color:#0969da}.sev-info .sev{color:#57606a}
details{margin:4px 0 2px}summary{cursor:pointer;color:#0969da}details ul{margin:4px 0;padding-left:20px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
#filters{display:flex;flex-wrap:wrap;gap:6px 18px;padding:8px 0}#filters fieldset{border:1px solid #d0d7de;
border-radius:6px}.filtered{display:none}.count{color:#57606a;font-weight:400}
"""

# Hides the findings that an unticked severity or check covers, then the causes left empty.
SCRIPT = """
(function () {
  var form = document.getElementById("filters");
  form.hidden = false;
  function ticked(name) {
    var out = {};
    form.querySelectorAll("input[name=" + name + "]").forEach(function (i) { out[i.value] = i.checked; });
    return out;
  }
  function apply() {
    var sev = ticked("severity"), check = ticked("check"), shown = 0;
    document.querySelectorAll(".finding").forEach(function (f) {
      var hide = !(sev[f.dataset.severity] && check[f.dataset.check]);
      f.classList.toggle("filtered", hide);
      if (!hide) { shown += 1; }
    });
    document.querySelectorAll(".cause").forEach(function (c) {
      c.classList.toggle("filtered", !c.querySelector(".finding:not(.filtered)"));
    });
    document.getElementById("shown").textContent = shown + " shown";
  }
  form.addEventListener("change", apply);
  apply();
})();
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def summary(report: Report) -> list[str]:
    counts = report.counts()
    active = report.active()
    rows = [f'<tr class="sev-{s}"><th scope="row"><span class="sev">{s}</span></th>'
            f'<td class="num">{counts[s]}</td></tr>' for s in SEVERITIES]
    audit = [("checks run", len(report.checks)), ("check errors", len(report.check_errors)),
             ("collection gaps", len(report.gaps)), ("accounts", len(report.accounts)),
             ("suppressed findings", len(report.findings) - len(active))]
    accounts = ", ".join(f"{a.provider} {a.id}" + (f" ({a.name})" if a.name else "")
                         for a in sorted(report.accounts, key=lambda a: (a.provider, a.id)))
    return ['<section id="summary"><h2>Summary</h2>',
            "<table><thead><tr><th>Severity</th><th>Findings</th></tr></thead><tbody>", *rows, "</tbody></table>",
            "<table><tbody>", *(f'<tr><th scope="row">{e(k)}</th><td class="num">{v}</td></tr>' for k, v in audit),
            "</tbody></table>", f"<p>Accounts: {e(accounts)}</p>" if accounts else "", "</section>"]


def matrix_table(m: Matrix) -> list[str]:
    head = "".join(f'<th scope="col">{e(z)}</th>' for z in m.zones)
    out = ['<table class="matrix"><thead><tr><th>from \\ to</th>', head, "</tr></thead><tbody>"]
    for src in m.zones:
        cells = []
        for dst in m.zones:
            c = m.cell(src, dst)
            if c.state in MARKS:
                cells.append(f'<td class="{c.state}" title="{e(f"{src} to {dst}: {c.state}")}">'
                             f'<span class="mark">{MARKS[c.state]}</span> {e(c.describe())}</td>')
            else:
                cells.append(f'<td class="{c.state}">{"·" if c.state == SAME else "—"}</td>')
        out.append(f'<tr><th scope="row">{e(src)}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    return out


def legend() -> str:
    words = {"permitted": "permitted by the zone policy", "violating": "forbidden by the zone policy",
             "unused": "permitted, nothing uses it"}
    return ('<p class="legend">' + "".join(
        f'<span><i class="swatch" style="border-top-color:{COLOURS[s]}'
        f'{";border-top-style:dashed" if s == "unused" else ""}"></i>{e(w)}</span>' for s, w in words.items())
        + "</p>")


def finding(f: Finding, remediation: str) -> list[str]:
    out = [f'<div class="finding sev-{f.severity}" data-severity="{f.severity}" data-check="{e(f.check_id)}">',
           f'<p><span class="sev">{f.severity}</span> <code>{e(f.check_id)}</code> {e(f.title)}</p>',
           f"<p>{e(f.message)}</p>"]
    if f.evidence or remediation:
        out.append(f"<details><summary>Evidence ({len(f.evidence)})"
                   f'{", zones " + e(" → ".join(f.zones)) if f.zones else ""}</summary>')
        if f.evidence:
            out += ["<ul>", *(f"<li><code>{e(line)}</code></li>" for line in f.evidence), "</ul>"]
        if remediation:
            out.append(f"<p><strong>Fix:</strong> {e(remediation)}</p>")
        out.append("</details>")
    out.append("</div>")
    return out


def filters(active: list[Finding]) -> list[str]:
    sevs = [s for s in SEVERITIES if any(f.severity == s for f in active)]
    checks = sorted({f.check_id for f in active})
    boxes = lambda name, values: "".join(  # noqa: E731
        f'<label><input type="checkbox" name="{name}" value="{e(v)}" checked> {e(v)}</label> ' for v in values)
    return ['<form id="filters" hidden>',
            f"<fieldset><legend>Severity</legend>{boxes('severity', sevs)}</fieldset>",
            f"<fieldset><legend>Check</legend>{boxes('check', checks)}</fieldset>",
            '<p><output id="shown"></output></p>',
            "</form>"]


def findings(report: Report) -> list[str]:
    active = report.active()
    out = ['<section id="findings"><h2>Findings by cause</h2>']
    if not active:
        return out + ["<p>No findings.</p>", "</section>"]
    remediation = {m.id: m.remediation for m in report.checks}
    out += filters(active)
    for group in by_cause(active):
        n = len(group.findings)
        out.append(f'<section class="cause sev-{group.severity}">'
                   f'<h3>{e(group.cause.label)} <span class="count">{n} finding{"" if n == 1 else "s"}</span></h3>')
        for f in group.findings:
            out += finding(f, remediation.get(f.check_id, ""))
        out.append("</section>")
    out.append("</section>")
    return out


def gaps_and_notes(report: Report) -> list[str]:
    if not (items := problems(report)):
        return []
    return ['<section id="gaps"><h2>Gaps and notes</h2><ul>', *(f"<li>{e(i)}</li>" for i in items), "</ul></section>"]


def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    active = report.active()
    counts = report.counts()
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if counts[s]]
    status = "complete" if report.complete else f"incomplete ({len(report.gaps)} collection gaps)"
    headline = (f"{len(active)} findings" + (f" ({', '.join(parts)})" if parts else "")
                + f" from {len(report.checks)} checks; snapshot {status}.")
    zones = matrix(report)
    body = [f"<h1>segaudit: network segmentation audit</h1><p>{e(headline)} segaudit {e(report.tool_version)}.</p>",
            *summary(report)]
    if zones.zones:
        body += ['<section id="matrix"><h2>Zone matrix</h2>',
                 "<p>What really flows from each zone (row) to each zone (column): ✅ the zone policy permits "
                 "it, ❌ it violates the policy, ◌ the policy permits a flow nothing uses.</p>",
                 *matrix_table(zones), "</section>",
                 '<section id="diagram"><h2>Zone diagram</h2>',
                 "<p>Zones from least to most trusted; arcs above the row go towards more trusted zones, "
                 "arcs below come back. Hover an arc for the ports.</p>",
                 legend(), svg(zones, sizes(report)), "</section>"]
    body += findings(report)
    body += gaps_and_notes(report)
    where_from = sorted({where(f) for f in active})
    title = "segaudit report" + (f": {where_from[0]}" if len(where_from) == 1 else "")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])
