"""Emitters: each module has render(report, options) -> str; same input, same bytes out."""
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


def render(fmt: str, report: Any, options: RenderOptions = RenderOptions()) -> str:
    module = importlib.import_module(FORMATS[fmt])
    return module.render(report, options)
