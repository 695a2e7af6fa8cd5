"""Reading exported API answers (`--from-dir`): one JSON file, or a clear one-line error."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.errors import InputError


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None


def folder(directory: str) -> Path:
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    return root
