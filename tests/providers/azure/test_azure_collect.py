"""`segaudit scan azure` / `snapshot azure` end to end against the offline ARM, and how the
collector behaves when ARM misbehaves: denied subscriptions, throttling, 5xx, clouds."""
from __future__ import annotations

import fnmatch
import itertools
import json
import threading
from importlib import resources

import pytest
from click.testing import CliRunner

from arm_fake import FakeArm, FakeCredential, load
from providers.azure import cli as azure_cli
from scanner import snapshot as snapshot_file
from scanner.cli import main

A = "11111111-1111-1111-1111-111111111111"
DENIED = "33333333-3333-3333-3333-333333333333"
SCENARIOS = ("flat", "five_zones", "subnet_allows_nic_denies", "outbound", "udr_firewall")
TOKEN = "eyJ0eXAiOiJKV1Qi.sEcReT-t0ken.SIGNATURE"


@pytest.fixture
def cred(monkeypatch):
    credential = FakeCredential(TOKEN)
    monkeypatch.setattr(azure_cli, "credential_factory", lambda cloud, tenant: credential)
    monkeypatch.setattr(azure_cli, "retry_settings", {"retry_total": 3, "retry_backoff_factor": 0})
    monkeypatch.delenv("SEGAUDIT_AZURE_ARM_ENDPOINT", raising=False)
    return credential


@pytest.fixture(scope="module")
def estate():
    return load(*SCENARIOS)


def run(*args, env=None):
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


def snap_of(*args, **arm_kw):
    """The snapshot `segaudit snapshot azure` writes, with the fake ARM that served it."""
    with FakeArm(**arm_kw) as arm:
        res = run("snapshot", "azure", "--quiet", *args)
    doc = json.loads(res.stdout)
    return res, snapshot_file.from_document(doc), arm


def test_scan_end_to_end_json_with_a_denied_subscription(cred, estate):
    with FakeArm(estate, denied=(DENIED,)) as arm:
        res = run("scan", "azure", "--quiet", "--format", "json", "--fail-on", "none")
        strict = run("scan", "azure", "--quiet", "--format", "json", "--fail-on", "none", "--strict")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["complete"] is False
    assert strict.exit_code == 3
    gap_lines = [line for line in res.stderr.splitlines() if line.startswith("segaudit: gap:")]
    assert gap_lines == [f"segaudit: gap: azure/{DENIED}/Microsoft.Network virtualNetworks.list_all: "
                         "AuthorizationFailed The client 'segaudit-ci' does not have authorization to perform "
                         f"action 'Microsoft.Network/virtualNetworks/read' over scope '/subscriptions/{DENIED}' or "
                         "the scope is invalid. (nothing else in this subscription was read)"]
    # The denied subscription was asked once, then left alone; the readable one was read in full.
    assert sum(1 for p in arm.gets() if DENIED in p) == 2  # two scans, one call each
    assert any("flowLogs" in p for p in arm.gets())


def test_snapshot_of_named_subscription_is_complete_and_valid(cred, estate, tmp_path):
    out = tmp_path / "azure.json"
    with FakeArm(estate, denied=(DENIED,)) as arm:
        res = run("snapshot", "azure", "--quiet", "--subscription", A, "--strict", "-o", str(out))
    assert res.exit_code == 0, res.output
    snap = snapshot_file.read(str(out))
    assert snap.complete and [a.id for a in snap.accounts] == [A]
    assert len(snap.networks) == 7 and len(snap.workloads) == 9 and len(snap.policies) == 8
    assert not any(p == "/subscriptions" for p in arm.gets())  # named: no listing
    assert not any(DENIED in p for p in arm.gets())


def test_every_list_pages_through_next_link(cred, estate):
    _, snap, arm = snap_of("--subscription", A, subscriptions=estate, page_size=2)
    nic_pages = [p for p in arm.gets() if p.endswith("/networkInterfaces")]
    assert len(nic_pages) == 5  # 9 NICs, 2 a page
    assert len(snap.workloads) == 9
    _, single, _ = snap_of("--subscription", A, subscriptions=estate, page_size=1000)
    assert single == snap


def test_every_call_is_a_get_covered_by_the_shipped_role(cred, estate):
    role = json.loads(resources.files("providers").joinpath("azure", "role.json").read_text())
    actions = [a.lower() for a in role["Actions"]]
    assert role["IsCustom"] is True and not role["DataActions"]
    assert all(a.endswith("/read") for a in actions)
    _, _, arm = snap_of(subscriptions=estate, denied=(DENIED,))
    assert arm.calls and {m for m, _, _ in arm.calls} == {"GET"}
    for path in {p for _, p, _ in arm.calls}:
        action = required_action(path)
        assert any(fnmatch.fnmatch(action, a) for a in actions), f"{path} needs {action}, not in role.json"


def required_action(path: str) -> str:
    """The RBAC action a GET on an ARM path needs."""
    segments = path.strip("/").split("/")
    if segments == ["subscriptions"]:
        return "microsoft.resources/subscriptions/read"
    at = [s.lower() for s in segments].index("providers")
    namespace, rest = segments[at + 1], segments[at + 2:]
    return "/".join([namespace, *rest[::2], "read"]).lower()


def test_registration_policy_cannot_write(cred, estate):
    """A 409 MissingSubscriptionRegistration makes azure-mgmt-core try to POST a provider
    registration; the read-only guard refuses it and the list becomes a gap."""
    def unregistered(method, path):
        if method == "GET" and "/natGateways" in path:
            return 409, {"content-type": "application/json"}, json.dumps({"error": {
                "code": "MissingSubscriptionRegistration",
                "message": "The subscription is not registered to use namespace 'Microsoft.Network'."}})
        return None
    res, snap, arm = snap_of("--subscription", A, subscriptions=estate, fault=unregistered)
    assert {m for m, _, _ in arm.calls} == {"GET"}
    assert [(e.operation, e.code, e.message) for e in snap.errors] == [(
        "natGateways.list_all", "ReadOnlyRefused",
        f"segaudit is read-only: refused POST /subscriptions/{A}/providers/Microsoft.Network/register")]
    assert len(snap.workloads) == 9


def test_throttling_storm_gives_the_same_snapshot(cred, estate):
    _, calm, _ = snap_of(subscriptions=estate)
    counter, lock, throttled = itertools.count(1), threading.Lock(), []

    def storm(method, path):
        with lock:
            n = next(counter)
        if n % 3 == 0:
            throttled.append(path)
            return 429, {"Retry-After": "0", "content-type": "application/json"}, json.dumps(
                {"error": {"code": "TooManyRequests", "message": "Rate limit exceeded"}})
        return None

    _, stormy, arm = snap_of(subscriptions=estate, fault=storm)
    assert len(throttled) >= 5 and stormy.complete
    assert stormy == calm


def test_5xx_beyond_the_retry_budget_is_a_gap(cred, estate):
    def broken(method, path):
        if "/networkSecurityGroups" in path:
            return 503, {"content-type": "application/json"}, json.dumps(
                {"error": {"code": "ServerBusy", "message": "The server is busy."}})
        return None

    res, snap, arm = snap_of("--subscription", A, subscriptions=estate, fault=broken)
    assert res.exit_code == 0
    assert [(e.account, e.operation, e.code) for e in snap.errors] == [
        (A, "networkSecurityGroups.list_all", "ServerBusy")]
    assert sum(1 for p in arm.gets() if p.endswith("/networkSecurityGroups")) == 4  # 1 + retry_total 3
    # NSGs failed; the firewall's own rules are still read from its record.
    assert [p.kind for p in snap.policies] == ["appliance-firewall"]
    assert len(snap.workloads) == 9 and len(snap.subnets) > 0
    with FakeArm(estate, fault=broken):
        assert run("scan", "azure", "-q", "--subscription", A, "--fail-on", "none", "--strict").exit_code == 3


def test_single_429_is_absorbed(cred, estate):
    seen = []

    def once(method, path):
        if path.split("?")[0].endswith("/virtualNetworks") and not seen:
            seen.append(path)
            return 429, {"Retry-After": "0"}, ""
        return None

    _, snap, arm = snap_of("--subscription", A, subscriptions=estate, fault=once)
    assert seen and snap.complete and len(snap.networks) == 7


def test_no_token_text_in_any_output(cred, estate, tmp_path):
    def broken(method, path):
        return (500, {}, "upstream failure") if "/routeTables" in path else None

    outputs = []
    with FakeArm(estate, denied=(DENIED,), fault=broken) as arm:
        for fmt in ("json", "text"):
            res = run("scan", "azure", "--format", fmt, "--fail-on", "none")
            outputs += [res.stdout, res.stderr]
        res = run("snapshot", "azure", "-o", str(tmp_path / "s.json"))
        outputs += [res.stdout, res.stderr, (tmp_path / "s.json").read_text()]
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in arm.calls)  # the token was really used
    assert "routeTables.list_all" in outputs[1]
    for text in outputs:
        assert TOKEN not in text and "sEcReT" not in text and "Bearer" not in text


def test_custom_arm_endpoint_is_used_for_every_call_and_sets_the_token_scope(cred, estate, monkeypatch):
    endpoint = "https://arm.contoso.internal:8443"
    monkeypatch.setenv("SEGAUDIT_AZURE_ARM_ENDPOINT", endpoint)
    res, snap, arm = snap_of(subscriptions=estate, endpoint=endpoint)
    assert res.exit_code == 0 and snap.complete and len(snap.networks) == 7
    assert arm.calls and {s for s in cred.scopes} == {(f"{endpoint}/.default",)}


def test_sovereign_cloud_endpoint_and_scope(cred, estate):
    gov = "https://management.usgovcloudapi.net"
    res, snap, arm = snap_of("--cloud", "AzureUSGovernment", "--subscription", A, subscriptions=estate, endpoint=gov)
    assert snap.complete and len(snap.networks) == 7
    assert {s for s in cred.scopes} == {(f"{gov}/.default",)}


def test_plain_http_endpoint_is_refused(cred):
    res = CliRunner().invoke(main, ["snapshot", "azure", "--arm-endpoint", "http://arm.local"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "segaudit: error: --arm-endpoint: 'http://arm.local' is not an https:// URL"


def test_no_usable_credential_is_one_line_exit_2(monkeypatch, tmp_path, estate):
    """The real DefaultAzureCredential, with nothing to find: no env, no az CLI, IMDS refused."""
    monkeypatch.setattr(azure_cli, "credential_factory", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no az / azd / pwsh to shell out to
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("IDENTITY_ENDPOINT", raising=False)
    monkeypatch.delenv("MSI_ENDPOINT", raising=False)
    with FakeArm(estate) as arm:
        res = CliRunner().invoke(main, ["scan", "azure", "-q", "--subscription", A])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("segaudit: error: azure: no usable credential")
    assert "Traceback" not in res.output
    assert arm.calls == []  # no request left without a token


def test_tenant_is_passed_to_every_token_request(monkeypatch, estate):
    asked = []

    class Recording(FakeCredential):
        def get_token(self, *scopes, **kwargs):
            asked.append(kwargs.get("tenant_id"))
            return super().get_token(*scopes, **kwargs)

    from providers.azure import fetch
    monkeypatch.setattr(azure_cli, "credential_factory",
                        lambda cloud, tenant: fetch.TenantCredential(Recording(), tenant))
    monkeypatch.setattr(azure_cli, "retry_settings", {"retry_total": 0})
    with FakeArm(estate):
        res = run("snapshot", "azure", "-q", "--tenant", "contoso.onmicrosoft.com", "--subscription", A)
    assert res.exit_code == 0 and asked and set(asked) == {"contoso.onmicrosoft.com"}


def test_one_denied_resource_provider_and_a_foreign_tenant_are_gaps(cred, estate):
    other_tenant = "44444444-4444-4444-4444-444444444444"

    def partial(method, path):
        if "/azureFirewalls" in path:
            return 403, {"content-type": "application/json"}, json.dumps({"error": {
                "code": "AuthorizationFailed", "message": "no Microsoft.Network/azureFirewalls/read"}})
        if other_tenant in path:
            return 401, {"content-type": "application/json"}, json.dumps({"error": {
                "code": "InvalidAuthenticationTokenTenant",
                "message": "The access token is from the wrong issuer."}})
        return None

    res, snap, _ = snap_of("--subscription", A, "--subscription", other_tenant, subscriptions=estate, fault=partial)
    assert res.exit_code == 0
    assert [(e.account, e.operation, e.code) for e in snap.errors] == [
        (A, "azureFirewalls.list_all", "AuthorizationFailed"),
        (other_tenant, "virtualNetworks.list_all", "InvalidAuthenticationTokenTenant"),
    ]
    assert [a.id for a in snap.accounts] == [A, other_tenant]
    assert not any(g.service == "AzureFirewall" for g in snap.gateways) and len(snap.policies) == 7


def test_progress_counts_subscriptions(estate):
    from providers.azure import fetch

    class Recorder:
        def __init__(self):
            self.started, self.advanced = None, []

        def start(self, n):
            self.started = n

        def advance(self, label=""):
            self.advanced.append(label)

    progress = Recorder()
    with FakeArm(estate, denied=(DENIED,)):
        fetch.fetch(FakeCredential(), [A, DENIED], fetch.Settings(retry_total=0), 2, progress)
    assert progress.started == 2 and sorted(progress.advanced) == [A, DENIED]
