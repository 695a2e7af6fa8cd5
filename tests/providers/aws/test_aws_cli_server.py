"""`segaudit snapshot aws` / `scan aws` end to end, through real HTTP to a moto server that
botocore finds through AWS_ENDPOINT_URL (segaudit overrides no endpoint)."""
from __future__ import annotations

import json
import logging

import boto3
import pytest
from click.testing import CliRunner
from moto.server import ThreadedMotoServer

from providers.aws import fetch
from aws_fakes import Hooks, build_estate
from scanner import snapshot as snapshot_file
from scanner.cli import main

SECRET = "SECRETSECRETSECRETSECRETSECRETSECRET0000"
TOKEN = "TOKENTOKENTOKENTOKENTOKEN"
KEY_ID = "AKIASEGAUDITTEST0001"


@pytest.fixture(scope="module")
def server():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    host, port = srv.get_host_and_port()
    url = f"http://{host}:{port}"
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=url)
    ids = build_estate(ec2, "us-east-1")
    yield url, ids
    srv.stop()


def env_for(url: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SESSION_TOKEN": TOKEN}


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_snapshot_command_writes_the_estate(server, tmp_path):
    url, ids = server
    out = tmp_path / "snap.json"
    res = run(env_for(url), "snapshot", "aws", "--regions", "us-east-1", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and res.stderr == ""  # not a terminal: no progress bar
    snap = snapshot_file.read(out)
    assert ids["vpc"] in {n.id for n in snap.networks} and snap.complete
    assert {a.id for a in snap.accounts} == {"123456789012"}


def test_scan_with_a_denied_region_prints_the_gap_keeps_secrets_and_exits_3_when_strict(server, tmp_path,
                                                                                           monkeypatch):
    url, ids = server
    Hooks().deny_region("ap-southeast-2").install(monkeypatch)
    snap_file = tmp_path / "snap.json"
    res = run(env_for(url), "snapshot", "aws", "--regions", "us-east-1,ap-southeast-2", "-o", str(snap_file))
    assert res.exit_code == 0
    scan = run(env_for(url), "scan", "aws", "--regions", "us-east-1", "--regions", "ap-southeast-2",
               "--strict", "--format", "json")
    assert scan.exit_code == 3
    gaps = [line for line in scan.stderr.splitlines() if line.startswith("segaudit: gap:")]
    assert len(gaps) == len(fetch.SWEEPS) and all("aws/123456789012/ap-southeast-2/ec2" in g for g in gaps)
    assert "UnauthorizedOperation" in gaps[0]
    report = json.loads(scan.stdout)
    assert "SEG501" in json.dumps(report)
    everything = scan.stdout + scan.stderr + res.output + snap_file.read_text()
    for secret in (SECRET, TOKEN):
        assert secret not in everything
    lax = run(env_for(url), "scan", "aws", "--regions", "us-east-1,ap-southeast-2", "--fail-on", "none")
    assert lax.exit_code == 0 and "ap-southeast-2" in lax.stderr


def test_missing_credentials_is_one_line_and_exit_2(tmp_path):
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SESSION_TOKEN": None,
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None, "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
           "AWS_WEB_IDENTITY_TOKEN_FILE": None}
    res = run(env, "scan", "aws", "--regions", "us-east-1")
    assert res.exit_code == 2
    assert res.stderr.startswith("segaudit: error: no AWS credentials found") and len(res.stderr.splitlines()) == 1


def test_unknown_profile_is_an_input_error():
    res = run({}, "snapshot", "aws", "--profile", "nope", "--regions", "us-east-1")
    assert res.exit_code == 2 and "profile 'nope' not found" in res.stderr


def test_bad_region_name_is_a_usage_error():
    res = run({}, "scan", "aws", "--regions", "us-east-1,Ireland")
    assert res.exit_code == 2 and "'Ireland' is not an AWS region name" in res.stderr


def test_debug_logging_shows_the_calls_but_no_secret(server, tmp_path):
    url, _ = server
    out = tmp_path / "snap.json"
    try:
        res = run(env_for(url), "--debug", "snapshot", "aws", "--regions", "us-east-1", "-o", str(out))
    finally:
        logging.getLogger().handlers[:] = []
        logging.getLogger().setLevel(logging.WARNING)
    assert res.exit_code == 0, res.output
    assert "DescribeSecurityGroups" in res.stderr or "describe_security_groups" in res.stderr.lower()
    assert "X-Amz-Security-Token" in res.stderr  # the header is logged, its value is not
    for secret in (SECRET, TOKEN, KEY_ID):
        assert secret not in res.stderr
        assert secret not in out.read_text()
