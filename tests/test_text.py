"""--format text: the zone matrix first, then findings grouped by cause, then the summary."""
from __future__ import annotations

from dataclasses import replace

import click

from output import RenderOptions, text
from output.causes import by_cause, cause
from reports import findings, report


def test_opens_with_the_zone_matrix_rows_from_columns_to():
    lines = text.render(report()).splitlines()
    assert lines[0].startswith("Zone matrix: what flows from each zone (row) to each zone (column)")
    assert lines[1].startswith("  ok: the zone policy permits it; VIOLATION: the policy forbids it")
    head, *rows = [line.split() for line in lines[2:8]]
    assert head == ["from", "\\", "to", "internet", "dmz", "internal", "data", "management"]
    assert [r[0] for r in rows] == ["internet", "dmz", "internal", "data", "management"]
    grid = lines[2:8]
    column = {z: grid[0].index(z) for z in head[3:]}

    def at(row, zone):
        line = grid[1 + [r[0] for r in rows].index(row)]
        start = column[zone]
        return line[start:].split("  ")[0]

    assert at("internet", "dmz") == "ok tcp/443"
    assert at("internet", "management") == "VIOLATION tcp/22, tcp/3389"
    assert at("dmz", "data") == "VIOLATION tcp/5432"
    assert at("dmz", "internal") == "unused tcp/8080"
    assert at("data", "data") == "." and at("data", "internet") == "-"


def test_colour_does_not_move_the_columns():
    plain = text.render(report())
    coloured = text.render(report(), RenderOptions(colour=True))
    assert "\x1b[" in coloured and click.unstyle(coloured) == plain


def test_findings_follow_grouped_by_cause():
    base = findings()
    twin = replace(base[-1], check_id="SEG999", title="Another check", message="also on this network",
                   severity="critical")
    out = text.render(report(findings=(*base, twin)))
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(f"network {base[-1].resource.id} "))
    assert lines[first - 3].startswith("network vpc-seg101-0 ")  # the other critical cause, by id
    assert lines[first] == f"network {base[-1].resource.id} [aws/123456789012/eu-west-1] (2 findings)"
    assert lines[first + 1:first + 3] == ["  CRITICAL SEG999 Another check", "    also on this network"]
    assert lines[first + 3] == "  INFO SEG601 Title of SEG601"
    assert out.index("Zone matrix") < first
    assert lines[-1] == "6 findings (2 critical, 1 high, 1 medium, 1 low, 1 info) from 5 checks"


def test_one_group_per_cause_most_severe_first():
    base = findings(n_per_check=2)
    groups = by_cause(reversed(base))
    assert [g.cause for g in groups] == sorted({cause(f) for f in base},
                                               key=lambda c: (min(f.sort_key for f in base if cause(f) == c), c.key))
    assert all(len({cause(f) for f in g.findings}) == 1 for g in groups)
    assert sum(len(g.findings) for g in groups) == len(base)
    assert [g.severity for g in groups][:2] == ["critical", "critical"]
