"""The GitHub Action: its metadata and example workflows against GitHub's published schemas
(check-jsonschema's built-in copies, offline), and its script run locally as the runner would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import snapshot as snapshot_file
from scanner.audit import audit
import yaml

from output import sarif_rules

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "examples" / "sample-snapshot.json"
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    # a dead proxy proves the check needs no network: the schemas ship inside check-jsonschema
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead}
    return subprocess.run([CHECK_JSONSCHEMA, "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True, timeout=60, env=env)


def test_action_metadata_matches_githubs_schema():
    proc = check_jsonschema("vendor.github-actions", ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_workflows_match_githubs_schema():
    assert len(WORKFLOWS) == 3
    proc = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_is_not_vacuous(tmp_path):
    bad = tmp_path / "action.yml"
    bad.write_text("name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n")
    assert check_jsonschema("vendor.github-actions", bad).returncode != 0  # a composite run step needs a shell


def test_action_is_composite_and_installs_its_own_checkout():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"] == "actions/setup-python@v5"
    assert '"${{ github.action_path }}"' in steps[1]["run"]
    assert set(action["inputs"]) >= {"provider", "args", "zones", "suppressions", "fail-on", "sarif-file", "category"}
    assert set(action["outputs"]) == {"sarif-file", "findings", "exit-code"}
    assert "action/run.sh" in steps[-1]["run"]
    # inputs reach the script through the environment, never spliced into shell code
    assert all("inputs." not in step.get("run", "") for step in steps)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_workflows_upload_always_with_one_category_per_account(path):
    wf = yaml.safe_load(path.read_text())
    assert set(wf[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads `on` as True
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write", "security-events": "write",
                                  "actions": "read"}
    steps = job["steps"]
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@v4")]
    assert len(upload) == 1 and upload[0]["if"] == "always()"
    audit = next(s for s in steps if "provider" in s.get("with", {}))
    assert "${{ matrix." in audit["with"]["category"]
    assert upload[0]["with"]["sarif_file"] == audit["with"]["sarif-file"]
    login = {"aws": "aws-actions/configure-aws-credentials@", "gcp": "google-github-actions/auth@",
             "azure": "azure/login@"}[audit["with"]["provider"]]
    assert any(s.get("uses", "").startswith(login) for s in steps)


def run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, Path, dict[str, str]]:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGAUDIT_", "GITHUB_"))}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "SEGAUDIT_PYTHON": sys.executable,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        **{f"SEGAUDIT_{k.upper()}": v for k, v in inputs.items()},
    })
    proc = subprocess.run(["bash", str(ROOT / "action" / "run.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines()) if outputs.exists() else {}
    return proc, summary, values


def test_action_script_audits_a_snapshot(tmp_path):
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=f"'{SAMPLE}'", fail_on="medium",
                                       sarif_file="results/segaudit.sarif", category="segaudit/aws/123456789012")
    assert proc.returncode == 1, proc.stderr  # the sample has findings at medium and above
    findings = audit(snapshot_file.read(SAMPLE)).findings
    expected = len(findings)
    assert values == {"sarif-file": "results/segaudit.sarif", "findings": str(expected), "exit-code": "1"}
    doc = json.loads((tmp_path / "results" / "segaudit.sarif").read_text())
    assert sarif_rules.problems(doc) == []
    assert doc["runs"][0]["automationDetails"]["id"] == "segaudit/aws/123456789012/"
    assert "SEG501" in [r["ruleId"] for r in doc["runs"][0]["results"]]
    text = summary.read_text()
    medium = sum(f.severity == "medium" for f in findings)  # grows with the catalogue
    assert text.startswith("## segaudit: network segmentation audit") and f"| medium | {medium} |" in text
    assert "SEG501" in proc.stdout  # the text report goes to the job log


def test_action_script_honours_suppressions_and_fail_on(tmp_path):
    supp = tmp_path / "accepted.yml"
    supp.write_text("suppressions:\n  - {check: SEG501, resource: vpc-0a1, reason: logged centrally}\n")
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=f"{SAMPLE} --checks SEG501",
                                       suppressions=str(supp), fail_on="low")
    assert proc.returncode == 0, proc.stderr
    assert values == {"sarif-file": "segaudit.sarif", "findings": "0", "exit-code": "0"}
    (result,) = json.loads((tmp_path / "segaudit.sarif").read_text())["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "logged centrally"
    assert "| suppressed | 1 |" in summary.read_text()


@pytest.mark.parametrize("inputs,message", [
    ({"provider": "oracle"}, "provider must be aws, gcp, azure or snapshot, not 'oracle'"),
    ({"provider": "snapshot", "args": "'unbalanced"}, "args: cannot split"),
    ({"provider": "snapshot", "args": "missing.json"}, "segaudit: error: missing.json: cannot read"),
])
def test_action_script_input_errors_exit_2(tmp_path, inputs, message):
    proc, summary, values = run_action(tmp_path, **inputs)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert values["exit-code"] == "2" and not (tmp_path / "segaudit.sarif").exists()


def test_action_script_expands_snapshot_globs(tmp_path):
    (tmp_path / "snaps").mkdir()
    for name in ("a.json", "b.json"):
        (tmp_path / "snaps" / name).write_text(SAMPLE.read_text())
    proc, summary, values = run_action(tmp_path, provider="snapshot", args="snaps/*.json", fail_on="none")
    assert proc.returncode == 0, proc.stderr
    # the same account twice merges into one audit: as many findings as the sample alone
    assert values["findings"] == str(len(audit(snapshot_file.read(SAMPLE)).findings))
    assert "| accounts | 1 |" in summary.read_text()


def test_action_script_on_the_demo_estate(tmp_path):
    """The action's shell step against the demo estate, collected by the real AWS collector."""
    from providers.aws.demo import demo_snapshot

    demo = tmp_path / "demo.json"
    snapshot_file.write(demo_snapshot(), demo)
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=str(demo), fail_on="critical",
                                       sarif_file="demo.sarif", category="segaudit/aws/demo")
    assert proc.returncode == 1, proc.stderr  # the demo plants critical mistakes
    doc = json.loads((tmp_path / "demo.sarif").read_text())
    assert sarif_rules.problems(doc) == []
    rules = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert {"SEG101", "SEG201", "SEG301", "SEG303", "SEG402", "SEG501"} <= rules
    assert values["findings"] == str(len(doc["runs"][0]["results"]))
    assert "```mermaid" in summary.read_text() and "VIOLATION" in summary.read_text()


def test_action_baseline_snapshot_adds_the_diff_and_fails_on_a_forbidden_flow(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    import estates
    from builder import allow_in, allow_out, group

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    snapshot_file.write(estates.aws().snapshot(), old)
    snapshot_file.write(estates.aws(app=[allow_out("tcp", 22, group("sg-bastion"))],
                                    bastion=[allow_in("tcp", 22, group("sg-app"))]).snapshot(), new)
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=str(old), fail_on="none",
                                       baseline=str(old))
    assert proc.returncode == 0, proc.stderr
    assert "No flow the zone policy forbids is opened." in summary.read_text()
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=str(new), fail_on="none",
                                       baseline=str(old))
    assert proc.returncode == 1 and values["exit-code"] == "1", proc.stderr
    assert "| ⛔ opened | internal | management | tcp/22 (not permitted: tcp/22) |" in summary.read_text()


def test_action_baseline_snapshot_needs_one_snapshot(tmp_path):
    proc, summary, values = run_action(tmp_path, provider="snapshot", args=f"{SAMPLE} {SAMPLE}", fail_on="none",
                                       baseline=str(SAMPLE))
    assert proc.returncode == 2 and "exactly one snapshot file" in proc.stderr
