"""`segaudit snapshot gcp --from-dir`: gcloud list outputs, one file per resource type,
through the same normalizer as a live scan."""
from __future__ import annotations

import json

from click.testing import CliRunner

from gcp_fake import scenario
from providers.gcp import normalize
from providers.gcp.offline import LISTS, snapshot_from_dir
from scanner.cli import main


def export(tmp_path, name="five_zones", leave_out=()):
    data = scenario(name)
    folder = tmp_path / data["project"]
    (folder / "effectiveFirewalls").mkdir(parents=True)
    for key in ["networks", *(k for k, _op in LISTS)]:
        if key not in leave_out:
            (folder / f"{key}.json").write_text(json.dumps(data.get(key, [])))
    for network, answer in data["effectiveFirewalls"].items():
        (folder / "effectiveFirewalls" / f"{network}.json").write_text(json.dumps(answer))
    return data


def test_an_export_gives_what_the_normalizer_gives_live(tmp_path):
    data = export(tmp_path)
    snap = snapshot_from_dir(str(tmp_path))
    live = normalize.normalize(data["project"], {k: v for k, v in data.items() if k != "project"})
    assert snap.complete and [a.id for a in snap.accounts] == [data["project"]]
    for name in ("networks", "subnets", "route_tables", "policies", "workloads", "gateways"):
        assert getattr(snap, name) == getattr(live, name), name


def test_a_missing_file_is_a_gap_naming_the_call(tmp_path):
    data = export(tmp_path, leave_out=("routers",))
    snap = snapshot_from_dir(str(tmp_path))
    assert [(e.account, e.operation, e.code) for e in snap.errors] == [
        (data["project"], "routers.aggregatedList", "FileMissing")]
    assert snap.workloads


def test_from_dir_on_the_command_line(tmp_path):
    export(tmp_path / "export")
    out = tmp_path / "snap.json"
    result = CliRunner().invoke(main, ["snapshot", "gcp", "--from-dir", str(tmp_path / "export"), "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["networks"]
    (tmp_path / "export" / next(p.name for p in (tmp_path / "export").iterdir()) / "routes.json").write_text("{}")
    result = CliRunner().invoke(main, ["snapshot", "gcp", "--from-dir", str(tmp_path / "export"), "-q"])
    assert result.exit_code == 2 and "expected a JSON list" in result.output
