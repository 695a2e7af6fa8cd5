"""`segaudit snapshot gcp` and `segaudit scan gcp` as a user runs them, against the offline fake."""
from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner
from google.oauth2.credentials import Credentials

from gcp_fake import FakeCompute
from gcp_support import expected, fast_retry, load
from providers.gcp import cli as gcp_cli, fetch
from scanner import snapshot as snapshot_file
from scanner.cli import main

TOKEN = "ya29.a0AfB_SECRET-TOKEN-must-never-be-printed"


@pytest.fixture
def fake(monkeypatch):
    """The fake Compute API, a pre-minted bearer token as the user's credentials, millisecond backoff."""
    monkeypatch.setattr(gcp_cli, "credentials_for", lambda impersonate: (Credentials(token=TOKEN), None))
    monkeypatch.setattr(fetch, "default_retry", fast_retry)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        compute = FakeCompute(mock)
        load(compute, "five_zones", "nat_data")
        compute.add("acme-denied", {"denied": True})
        yield compute


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_scan_completes_with_json_and_reports_the_denied_project(fake):
    res = run("scan", "gcp", "--quiet", "--project", "acme-prod", "--project", "acme-denied",
              "--format", "json", "--fail-on", "none")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["complete"] is False
    assert [(g["account"], g["operation"], g["code"]) for g in doc["gaps"]] == [
        ("acme-denied", "networks.list", "Forbidden")]
    assert res.stderr.startswith("segaudit: gap: gcp/acme-denied/global/compute networks.list: Forbidden")


def test_scan_strict_exits_3_on_a_denied_project(fake):
    res = run("scan", "gcp", "-q", "--project", "acme-prod", "--project", "acme-denied",
              "--format", "json", "--fail-on", "none", "--strict")
    assert res.exit_code == 3
    res = run("scan", "gcp", "-q", "--project", "acme-prod", "--format", "json", "--fail-on", "none", "--strict")
    assert res.exit_code == 0 and json.loads(res.stdout)["complete"] is True


def test_snapshot_file_from_a_projects_file(fake, tmp_path):
    listing = tmp_path / "projects.txt"
    listing.write_text("# production\nacme-prod\n\nacme-nat  # NAT estate\nacme-prod\n")
    out = tmp_path / "snap.json"
    res = run("snapshot", "gcp", "-q", "--projects", str(listing), "--output", str(out), "--strict")
    assert res.exit_code == 0, res.output
    assert snapshot_file.read(out) == expected("five_zones", "nat_data")


def test_no_credential_text_in_any_output(fake, tmp_path):
    out = tmp_path / "snap.json"
    texts = []
    for args in (["snapshot", "gcp", "--project", "acme-prod", "--project", "acme-denied", "-o", str(out)],
                 ["scan", "gcp", "--project", "acme-prod", "--project", "acme-denied", "--format", "json"],
                 ["scan", "gcp", "--project", "acme-prod", "--format", "text"]):
        res = run(*args)
        texts += [res.stdout, res.stderr]
    texts.append(out.read_text())
    assert fake.authorization == {f"Bearer {TOKEN}"}  # the token really was in play
    secret = TOKEN.split(".", 1)[1]
    assert all(secret not in t for t in texts)


def test_no_credentials_is_one_line_and_exit_2(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    res = CliRunner().invoke(main, ["snapshot", "gcp", "--project", "acme-prod"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "segaudit: error: no Google credentials found: run `gcloud auth application-default login` "
        "or set GOOGLE_APPLICATION_CREDENTIALS"]


def test_unreadable_projects_file_and_no_project_are_input_errors(fake, tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "gcp", "--projects", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and res.output.startswith(f"segaudit: error: {tmp_path / 'missing.txt'}: cannot read")
    res = CliRunner().invoke(main, ["snapshot", "gcp"])
    assert res.exit_code == 2
    assert res.output.strip() == "segaudit: error: no project given: use --project ID or --projects FILE"


def test_api_endpoint_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setattr(gcp_cli, "credentials_for", lambda impersonate: (Credentials(token=TOKEN), None))
    monkeypatch.setattr(fetch, "default_retry", fast_retry)
    monkeypatch.setenv("SEGAUDIT_GCP_API_ENDPOINT", "compute.private.example")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        compute = FakeCompute(mock, host="https://compute.private.example")
        load(compute, "nat_data")
        res = run("snapshot", "gcp", "-q", "--project", "acme-nat", "--strict")
    assert res.exit_code == 0, res.output
    assert snapshot_file.loads(res.stdout) == expected("nat_data")


def test_impersonation_wraps_the_default_credentials(monkeypatch):
    import google.auth
    from google.auth import impersonated_credentials

    source = Credentials(token=TOKEN)
    monkeypatch.setattr(google.auth, "default", lambda scopes: (source, "acme-prod"))
    creds, project = gcp_cli.credentials_for("auditor@acme-sec.iam.gserviceaccount.com")
    assert isinstance(creds, impersonated_credentials.Credentials)
    assert creds.service_account_email == "auditor@acme-sec.iam.gserviceaccount.com" and project == "acme-prod"
