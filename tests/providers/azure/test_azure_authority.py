"""AZURE_AUTHORITY_HOST decides where the real DefaultAzureCredential signs in unless
--cloud names a cloud (azure-identity's convention). The login hosts are faked with
`responses`, so azure-identity and MSAL run for real: discovery, then the token POST."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from arm_fake import FakeArm, load
from providers.azure import cli as azure_cli, fetch
from scanner.cli import main

A = "11111111-1111-1111-1111-111111111111"
TENANT = "00000000-0000-0000-0000-0000000000aa"
TOKEN = "eyJ0eXAiOiJKV1Qi.from-the-fake-login.SIG"


@pytest.fixture
def service_principal(monkeypatch, tmp_path):
    """EnvironmentCredential's secret flow; nothing else to fall back on."""
    monkeypatch.setattr(azure_cli, "credential_factory", None)
    monkeypatch.setattr(azure_cli, "retry_settings", {"retry_total": 0})
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", "segaudit-ci")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-a-real-secret")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    for name in ("AZURE_AUTHORITY_HOST", "SEGAUDIT_AZURE_ARM_ENDPOINT", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


class FakeLogin:
    """Every login host answers OpenID discovery and the token request; records what was asked."""

    def __init__(self) -> None:
        self.tokens: list[tuple[str, str]] = []  # (login host, scope)
        self.hosts: set[str] = set()

    def handle(self, request):
        url = urlsplit(request.url)
        self.hosts.add(url.hostname)
        base = f"https://{url.hostname}/{TENANT}"
        if url.path.endswith("/.well-known/openid-configuration"):
            return 200, {"content-type": "application/json"}, json.dumps({
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"https://{url.hostname}/{TENANT}/v2.0",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode"})
        if url.path.endswith("/oauth2/v2.0/token") and request.method == "POST":
            form = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())
            self.tokens.append((url.hostname, form["scope"][0]))
            return 200, {"content-type": "application/json"}, json.dumps({
                "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600})
        return 404, {"content-type": "application/json"}, json.dumps({"error": "not_found", "path": url.path})


def snapshot(*args, endpoint):
    login = FakeLogin()
    with FakeArm(load("five_zones"), endpoint=endpoint) as arm:
        for method in ("GET", "POST"):
            arm.also(method, re.compile(r"https://login\.[a-z.]+/.*"), login.handle)
        res = CliRunner().invoke(main, ["snapshot", "azure", "-q", "--subscription", A, *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert arm.calls and {auth for _, _, auth in arm.calls} == {f"Bearer {TOKEN}"}
    return login


def test_the_environment_picks_the_login_host_and_its_cloud(service_principal, monkeypatch):
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")
    login = snapshot(endpoint=fetch.ARM_ENDPOINTS["AzureUSGovernment"])
    assert set(login.tokens) == {("login.microsoftonline.us", "https://management.usgovcloudapi.net/.default")}
    assert login.hosts == {"login.microsoftonline.us"}


def test_an_explicit_cloud_wins_over_the_environment(service_principal, monkeypatch):
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us")
    login = snapshot("--cloud", "AzureChinaCloud", endpoint=fetch.ARM_ENDPOINTS["AzureChinaCloud"])
    assert set(login.tokens) == {("login.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default")}
    assert login.hosts == {"login.chinacloudapi.cn"}


def test_without_either_the_public_cloud(service_principal):
    login = snapshot(endpoint=fetch.ARM_ENDPOINTS["AzurePublicCloud"])
    assert set(login.tokens) == {("login.microsoftonline.com", "https://management.azure.com/.default")}


def test_cloud_of_authority():
    assert fetch.cloud_of_authority("https://login.microsoftonline.us/") == "AzureUSGovernment"
    assert fetch.cloud_of_authority("login.chinacloudapi.cn") == "AzureChinaCloud"
    assert fetch.cloud_of_authority("https://login.contoso.internal") is None  # private: --arm-endpoint says
    assert fetch.cloud_of_authority("") is None
