"""Emitters: each module has render(report, options) -> str; same input, same bytes out.
A module whose reports get big also has write(report, fh, options), the same text in parts."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

FORMATS = {
    "text": "output.text",
    "json": "output.json",
    "sarif": "output.sarif",
    "markdown": "output.markdown",
    "html": "output.html",
}


@dataclass(frozen=True, slots=True)
class RenderOptions:
    colour: bool = False  # ANSI colour, only when writing to a terminal
    sarif_category: str = ""  # SARIF automationDetails.id, only when the user asks


def problems(report: Any) -> list[str]:
    """Check errors, collection gaps and notes, one line each (Markdown and HTML list them)."""
    items = [f"check {e.check_id} failed: {e.message}" for e in report.check_errors]
    for gap in sorted(report.gaps, key=lambda g: (g.provider, g.account, g.region, g.service, g.operation)):
        scope = "/".join(p for p in (gap.provider, gap.account, gap.region, gap.service) if p)
        items.append(f"not collected: {scope} {gap.operation}: {gap.code} {gap.message}".strip())
    return items + list(report.notes)


def render(fmt: str, report: Any, options: RenderOptions = RenderOptions()) -> str:
    module = importlib.import_module(FORMATS[fmt])
    return module.render(report, options)


def write(fmt: str, report: Any, fh: Any, options: RenderOptions = RenderOptions()) -> None:
    module = importlib.import_module(FORMATS[fmt])
    if hasattr(module, "write"):
        module.write(report, fh, options)
    else:
        fh.write(module.render(report, options))
