"""How long the emitters take on a big report; prints figures, asserts nothing.

    python benchmarks/emitters.py [FINDINGS]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

import output  # noqa: E402
from output import sarif_rules  # noqa: E402
from reports import report, findings  # noqa: E402


def main() -> None:
    per_check = int(sys.argv[1]) // 5 if len(sys.argv) > 1 else 6_000
    t = time.perf_counter()
    rep = report(findings=findings(n_per_check=per_check))
    print(f"built report with {len(rep.findings)} findings in {time.perf_counter() - t:.2f}s")
    for fmt in ("sarif", "json", "text", "markdown"):
        t = time.perf_counter()
        text = output.render(fmt, rep)
        print(f"{fmt:9} {time.perf_counter() - t:6.2f}s  {len(text) / 1e6:7.1f} MB")
    import json

    doc = json.loads(output.render("sarif", rep))
    t = time.perf_counter()
    github = sarif_rules.github_problems(doc)
    print(f"github rules check {time.perf_counter() - t:6.2f}s, {len(github)} problems")
    t = time.perf_counter()
    schema = sarif_rules.schema_problems(doc)
    print(f"schema check       {time.perf_counter() - t:6.2f}s, {len(schema)} problems")


if __name__ == "__main__":
    main()
