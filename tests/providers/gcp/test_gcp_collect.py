"""The collector through the real google-cloud-compute REST code, against an offline fake."""
from __future__ import annotations

import itertools
import json
import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from gcp_fake import FORBIDDEN, THROTTLED, UNAVAILABLE, FakeCompute
from gcp_support import SCENARIOS, collect, expected, fast_retry, load
from scanner.model import CollectionError

PERMISSIONS = json.loads((Path(__file__).parents[3] / "providers" / "gcp" / "permissions.json").read_text())


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(scope="module")
def undisturbed():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeCompute(mock, page_size=2)
        projects = load(fake, *SCENARIOS)
        return projects, collect(projects)


def test_sdk_snapshot_equals_the_recorded_json_normalized(undisturbed):
    projects, snap = undisturbed
    assert snap.errors == ()
    assert [a.id for a in snap.accounts] == projects
    assert snap == expected(*SCENARIOS)


def test_every_list_is_paged_with_the_largest_page_size(rsps):
    fake = FakeCompute(rsps, page_size=2)
    [project] = load(fake, "five_zones")
    assert collect([project]).errors == ()
    paths = [urlparse(u).path.split(f"projects/{project}/", 1)[1] for _, u in fake.seen]
    assert all(parse_qs(urlparse(u).query).get("maxResults") == ["500"]
               for _, u in fake.seen if "getEffectiveFirewalls" not in u)
    # 6 firewall rules in pages of 2, 4 instances in pages of 2, 5 routes in pages of 2.
    assert paths.count("global/firewalls") == 3
    assert paths.count("aggregated/instances") == 2
    assert paths.count("global/routes") == 3
    tokens = sorted(parse_qs(urlparse(u).query).get("pageToken", [""])[0] for _, u in fake.seen if "global/firewalls" in u)
    assert tokens == ["", "2", "4"]


def test_calls_grow_with_pages_not_with_regions(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "nat_data")  # two regions
    assert collect([project]).errors == ()
    # networks.list, the eight lists (four aggregated over every region), one effective-firewalls read per network.
    assert len(fake.seen) == 1 + 8 + 1


def test_a_denied_project_is_a_gap_and_the_others_go_on(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "five_zones")
    fake.add("acme-denied", {"denied": True})
    snap = collect([project, "acme-denied"])
    [gap] = snap.errors
    assert (gap.provider, gap.account, gap.operation, gap.code) == ("gcp", "acme-denied", "networks.list", "Forbidden")
    assert "disabled" in gap.message
    assert [a.id for a in snap.accounts] == [project, "acme-denied"]
    assert {n.account for n in snap.networks} == {project}
    assert snap.policies == expected("five_zones").policies


def test_transient_429_and_503_are_absorbed_by_the_retry(rsps):
    fake = FakeCompute(rsps, page_size=2)
    [project] = load(fake, "five_zones")
    attempts: dict[str, int] = {}
    lock = threading.Lock()

    def fault(_project, rest):
        with lock:
            attempts[rest] = attempts.get(rest, 0) + 1
            return {1: THROTTLED, 2: UNAVAILABLE}.get(attempts[rest])

    fake.fault = fault
    snap = collect([project])
    assert snap.errors == ()
    assert snap == expected("five_zones")
    assert min(attempts.values()) >= 3


def test_throttling_storm_gives_the_same_snapshot(undisturbed):
    _, calm = undisturbed
    counter = itertools.count(1)
    lock = threading.Lock()
    throttled = []

    def storm(_project, _rest):
        with lock:
            n = next(counter)
        if n % 3 == 0:
            throttled.append(n)
            return THROTTLED
        return None

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeCompute(mock, page_size=2)
        projects = load(fake, *SCENARIOS)
        fake.fault = storm
        stormy = collect(projects)
    assert len(throttled) >= 10
    assert stormy == calm


def test_5xx_beyond_the_retry_budget_becomes_a_gap(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "five_zones")
    fake.fault = lambda p, rest: UNAVAILABLE if rest == "global/routes" else None
    snap = collect([project], retry=fast_retry(budget=0.3))
    [gap] = snap.errors
    assert (gap.account, gap.operation, gap.code) == (project, "routes.list", "RetryError")
    assert "unavailable" in gap.message
    full = expected("five_zones")
    assert snap.policies == full.policies and snap.workloads == full.workloads
    # Without the route list the table still holds the subnet routes the platform writes.
    assert {r.target_kind for t in snap.route_tables for r in t.routes} == {"local"}


def test_a_forbidden_list_inside_a_readable_project_is_a_gap_for_that_list_only(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "five_zones")
    fake.fault = lambda p, rest: FORBIDDEN if rest == "aggregated/instances" else None
    snap = collect([project])
    assert [(e.operation, e.code) for e in snap.errors] == [("instances.aggregatedList", "Forbidden")]
    assert {w.owner_kind for w in snap.workloads} == {"load-balancer"}


def test_unreadable_hierarchical_policies_are_a_gap_not_silence(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "five_zones")
    fake.projects[project] = {**fake.projects[project], "effectiveFirewallsDenied": True}
    snap = collect([project])
    assert [(e.operation, e.code) for e in snap.errors] == [("networks.getEffectiveFirewalls", "Forbidden")]
    assert {p.kind for p in snap.policies if p.kind != "listener"} == {"vpc-firewall", "network-firewall-policy"}


def test_api_endpoint_is_used_for_every_call(rsps):
    fake = FakeCompute(rsps, host="https://compute.internal.example")
    projects = load(fake, "five_zones", "nat_data")
    snap = collect(projects, endpoint="compute.internal.example")
    assert snap.errors == ()
    assert snap == expected("five_zones", "nat_data")
    assert fake.seen and all(u.startswith("https://compute.internal.example/compute/v1/") for _, u in fake.seen)


def _template(path: str) -> re.Pattern:
    return re.compile("^/compute/v1/" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(path)) + "$")


def test_every_call_is_a_get_covered_by_the_shipped_permissions(rsps):
    fake = FakeCompute(rsps, page_size=2)
    projects = load(fake, *SCENARIOS)
    fake.add("acme-denied", {"denied": True})
    collect(projects + ["acme-denied"])
    calls = [(c, _template(c["path"])) for c in PERMISSIONS["calls"]]
    used = set()
    for method, url in fake.seen:
        matches = [c for c, pattern in calls if pattern.match(urlparse(url).path)]
        assert len(matches) == 1, url
        assert method == "GET" == matches[0]["method"]
        assert matches[0]["permissions"] and all(p.startswith("compute.") for p in matches[0]["permissions"])
        used.add(matches[0]["operation"])
    # Nothing listed that the collector does not do, nothing done that is not listed.
    assert used == {c["operation"] for c in PERMISSIONS["calls"]}


def test_readme_documents_every_permission():
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    section = readme.split("### GCP", 1)[1]
    assert PERMISSIONS["role"] in section
    for call in PERMISSIONS["calls"]:
        assert f"`{call['operation']}`" in section
        assert all(f"`{p}`" in section for p in call["permissions"])


def test_a_scope_that_does_not_answer_in_an_aggregated_list_is_a_gap(rsps):
    fake = FakeCompute(rsps)
    [project] = load(fake, "five_zones")
    fake.projects[project] = {**fake.projects[project], "scopeWarnings": {"instances": {"zones/asia-south1-a": {
        "warning": {"code": "UNREACHABLE", "message": "The resource 'zones/asia-south1-a' is not reachable.",
                    "data": [{"key": "scope", "value": "zones/asia-south1-a"}]}}}}}
    snap = collect([project])
    assert snap.errors == (CollectionError(provider="gcp", account=project, region="asia-south1-a", service="compute",
                                           operation="instances.aggregatedList", code="UNREACHABLE",
                                           message="The resource 'zones/asia-south1-a' is not reachable."),)
    assert snap.workloads == expected("five_zones").workloads


def test_progress_counts_projects(rsps):
    class Recorder:
        def __init__(self):
            self.total, self.done = None, []

        def start(self, total):
            self.total = total

        def advance(self, item=""):
            self.done.append(item)

    fake = FakeCompute(rsps)
    projects = load(fake, "five_zones", "nat_data")
    progress = Recorder()
    from google.auth.credentials import AnonymousCredentials
    from providers.gcp import cli
    cli.collect(progress, 2, project=tuple(projects) + ("acme-prod",), credentials=AnonymousCredentials(),
                retry=fast_retry())
    assert progress.total == 2 and sorted(progress.done) == sorted(projects)


def test_an_endpoint_that_does_not_answer_is_a_gap_per_project(rsps):
    FakeCompute(rsps)  # serves compute.googleapis.com only
    snap = collect(["acme-prod", "acme-nat"], endpoint="compute.unreachable.example")
    assert [(e.account, e.operation, e.code) for e in snap.errors] == [
        ("acme-prod", "networks.list", "ConnectionError"), ("acme-nat", "networks.list", "ConnectionError")]
    assert snap.networks == ()
