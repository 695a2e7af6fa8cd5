"""`segaudit snapshot azure --from-dir`: ARM list answers as `az rest` prints them, one file
per list, give the snapshot a live read of the same estate gives."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from arm_fake import FakeArm, FakeCredential, load
from providers.azure import fetch, normalize
from providers.azure.offline import snapshot_from_dir
from scanner.cli import main
from scanner.progress import QUIET

FAST = fetch.Settings(retry_total=3, retry_backoff_factor=0)
FILES = [key for key, _group in fetch.LISTS] + ["flowLogs", "firewallPolicyRuleCollectionGroups"]


def export(tmp_path, name, leave_out=()):
    subs = load(name)
    for sub, estate in subs.items():
        folder = tmp_path / sub
        folder.mkdir(parents=True)
        for key in FILES:
            if key not in leave_out:
                (folder / f"{key}.json").write_text(json.dumps({"value": estate.get(key, [])}))
    return subs


@pytest.mark.parametrize("name", ["five_zones", "firewall_with_policy"])
def test_an_export_gives_what_a_live_read_gives(tmp_path, name):
    subs = export(tmp_path, name)
    with FakeArm(subs):
        raws, gaps = fetch.fetch(FakeCredential(), sorted(subs), FAST, 4, QUIET)
    live = normalize.snapshot(raws, gaps)
    offline = snapshot_from_dir(str(tmp_path))
    assert offline.complete
    for field in live.__dataclass_fields__:
        if field != "accounts":  # a live read also knows the subscriptions' display names
            assert getattr(offline, field) == getattr(live, field), field


def test_a_missing_file_is_a_gap_naming_the_list(tmp_path):
    subs = export(tmp_path, "five_zones", leave_out=("natGateways",))
    snap = snapshot_from_dir(str(tmp_path))
    assert [(e.account, e.operation, e.code) for e in snap.errors] == [
        (sorted(subs)[0], "natGateways.list_all", "FileMissing")]


def test_from_dir_on_the_command_line(tmp_path):
    export(tmp_path / "export", "five_zones")
    result = CliRunner().invoke(main, ["snapshot", "azure", "--from-dir", str(tmp_path / "export"), "-q"])
    assert result.exit_code == 0 and json.loads(result.stdout)["networks"]
    sub = next((tmp_path / "export").iterdir())
    (sub / "routeTables.json").write_text('{"value": {}}')
    result = CliRunner().invoke(main, ["snapshot", "azure", "--from-dir", str(tmp_path / "export"), "-q"])
    assert result.exit_code == 2 and "expected an ARM list response" in result.output
