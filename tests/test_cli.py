"""The command line as a user meets it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli import main

ROOT = Path(__file__).parent.parent
SAMPLE = str(ROOT / "examples" / "sample-snapshot.json")
REPORT_SCHEMA = json.loads((ROOT / "output" / "schemas" / "report.schema.json").read_text())


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_audit_prints_findings_and_summary():
    res = run("audit", SAMPLE, "--fail-on", "none")
    assert res.exit_code == 0
    assert "SEG501" in res.output and "vpc-0a1" in res.output
    assert "findings" in res.output.splitlines()[-1]


def test_json_output_validates_and_is_byte_identical(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert run("audit", SAMPLE, "--format", "json", "--output", str(a), "--fail-on", "none").exit_code == 0
    assert run("audit", SAMPLE, "--format", "json", "--output", str(b), "--fail-on", "none").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(doc)
    assert doc["findings"] and doc["complete"] is True


def test_several_formats_in_one_run(tmp_path):
    out = tmp_path / "r.json"
    res = run("audit", SAMPLE, "--format", "json", "--output", str(out), "--format", "text", "--fail-on", "none")
    assert res.exit_code == 0 and "SEG501" in res.output
    assert json.loads(out.read_text())["format"] == "segaudit.report"


def test_fail_on_sets_exit_code():
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "medium").exit_code == 1
    assert run("audit", SAMPLE, "--checks", "SEG501", "--fail-on", "critical").exit_code == 0


def test_strict_exits_3_on_gaps(tmp_path):
    doc = json.loads(Path(SAMPLE).read_text())
    doc["errors"] = [{"provider": "aws", "account": "123456789012", "region": "ap-south-1",
                      "operation": "DescribeVpcs", "code": "AccessDenied", "message": "not authorized"}]
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(doc))
    res = run("audit", str(path), "--strict", "--fail-on", "none")
    assert res.exit_code == 3
    assert "ap-south-1" in res.output and "DescribeVpcs" in res.output


@pytest.mark.parametrize("args,expected", [
    (["audit", "missing.json"], "segaudit: error: missing.json: cannot read"),
    (["audit", SAMPLE, "--checks", "SEG999"], "segaudit: error: --checks: unknown check 'SEG999'"),
])
def test_user_errors_are_one_line_exit_2(args, expected):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [expected.replace(SAMPLE, SAMPLE)] or res.output.startswith(expected)
    assert "Traceback" not in res.output


def test_bad_snapshot_through_the_console_script(tmp_path):
    bad = tmp_path / "snap.json"
    bad.write_text(Path(SAMPLE).read_text().replace('"10.0.32.0/20"]', '"10.0.0.0/33"]', 1))
    proc = subprocess.run([sys.executable, "-m", "scanner", "audit", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"segaudit: error: {bad}: subnets[2].cidrs[0]: '10.0.0.0/33' is not a valid network"
    assert proc.stdout == ""


def test_checks_json_lists_metadata():
    res = run("checks", "--format", "json")
    items = json.loads(res.output)
    first = items[0]
    for key in ("id", "name", "title", "severity", "rationale", "remediation", "references", "providers"):
        assert key in first


def test_version():
    assert run("--version").output.startswith("segaudit, version ")


def test_help_and_audit_import_no_cloud_sdk():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from scanner.cli import main\n"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output\n"
        f"r = CliRunner().invoke(main, ['audit', {SAMPLE!r}, '--fail-on', 'none']); assert r.exit_code == 0, r.output\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'google', 'azure', 'moto', 'kubernetes'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_scan_kubernetes_from_dir_imports_no_kubernetes_client():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from scanner.cli import main\n"
        "r = CliRunner().invoke(main, ['scan', 'kubernetes', '--from-dir', 'tests/providers/kubernetes/data/seed-micro',"
        " '--quiet', '--fail-on', 'none']); assert r.exit_code == 0, r.output\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes')\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
