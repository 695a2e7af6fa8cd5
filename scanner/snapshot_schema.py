"""Regenerate scanner/schemas/snapshot.schema.json after changing scanner/model.py."""
import json
from pathlib import Path

from scanner.snapshot import SCHEMA_FILE, build_schema

if __name__ == "__main__":
    target = Path(__file__).with_name("schemas") / SCHEMA_FILE
    target.write_text(json.dumps(build_schema(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}")
