"""Read one GCP project's network configuration through google-cloud-compute (REST).

Only list and get calls (every one a GET, see permissions.json). Every list is paged
with the largest page size; regional resources use aggregated lists, so the number of
calls grows with pages, not with regions. All calls of all projects share one bounded
thread pool (--max-workers). Throttling and transient 5xx are retried by google.api_core;
what still fails becomes a CollectionError and the rest goes on.
"""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.api_core.retry import Retry
from google.auth.exceptions import GoogleAuthError
from google.cloud import compute_v1
from requests import RequestException

from providers.gcp import normalize
from scanner.model import Account, CollectionError, Snapshot, merge
from scanner.pool import bounded_pool

PAGE_SIZE = 500
CALL_TIMEOUT = 60.0
TRANSIENT = (
    gexc.TooManyRequests, gexc.ServiceUnavailable, gexc.InternalServerError, gexc.BadGateway,
    gexc.GatewayTimeout, gexc.DeadlineExceeded,
)
# GCP also answers quota throttling with 403 and one of these reasons.
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


def _reasons(exc: BaseException) -> set[str]:
    found = {getattr(exc, "reason", None) or ""}
    for err in getattr(exc, "errors", None) or ():
        if isinstance(err, dict):
            found.add(err.get("reason", ""))
    return found


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, TRANSIENT):
        return True
    return isinstance(exc, gexc.Forbidden) and bool(_reasons(exc) & RATE_REASONS)


def default_retry() -> Retry:
    """The SDK's exponential backoff, widened to 429 and rate-limit 403s."""
    return Retry(predicate=_retryable, initial=1.0, maximum=32.0, multiplier=2.0, timeout=300.0)


def as_dict(message: Any) -> dict:
    """A proto message back in the REST API's own JSON spelling (camelCase, ids as strings)."""
    return type(message).to_dict(message, use_integers_for_enums=False, preserving_proto_field_name=False,
                                 always_print_fields_with_no_presence=False)


class Gap(Exception):
    def __init__(self, error: CollectionError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class ProjectReader:
    project: str
    credentials: Any
    api_endpoint: str | None
    retry: Retry
    errors: list[CollectionError] = field(default_factory=list)

    def client(self, cls: type) -> Any:
        options = ClientOptions(api_endpoint=self.api_endpoint) if self.api_endpoint else None
        return cls(credentials=self.credentials, transport="rest", client_options=options)

    def gap(self, operation: str, exc: BaseException, region: str = "global") -> CollectionError:
        if isinstance(exc, gexc.RetryError):
            code = "RetryError"
            cause = exc.cause if exc.cause is not None else exc
            message = f"gave up after retries: {getattr(cause, 'message', None) or cause}"
        else:
            code = type(exc).__name__
            message = str(getattr(exc, "message", None) or exc)
        return CollectionError(provider="gcp", account=self.project, region=region, service="compute",
                               operation=operation, code=code, message=" ".join(message.split())[:500])

    def call(self, operation: str, fn: Callable[[], Any], region: str = "global") -> Any:
        try:
            return fn()
        except (gexc.GoogleAPIError, GoogleAuthError, RequestException) as exc:
            # API errors, token refresh or impersonation refused, connection failures.
            raise Gap(self.gap(operation, exc, region)) from None

    def _kw(self) -> dict:
        return {"retry": self.retry, "timeout": CALL_TIMEOUT}

    def listing(self, operation: str, cls: type) -> list[dict]:
        def run() -> list[dict]:
            pager = self.client(cls).list(request={"project": self.project, "max_results": PAGE_SIZE}, **self._kw())
            return [as_dict(item) for page in pager.pages for item in page.items]
        return self.call(operation, run)

    def aggregated(self, operation: str, cls: type, key: str) -> list[dict]:
        """Every region's items; a region answering with a warning becomes a gap of its own."""
        def run() -> list[dict]:
            pager = self.client(cls).aggregated_list(
                request={"project": self.project, "max_results": PAGE_SIZE}, **self._kw())
            items: list[dict] = []
            for page in pager.pages:
                doc = as_dict(page)
                for scope, scoped in sorted((doc.get("items") or {}).items()):
                    items += scoped.get(key) or []
                    warning = scoped.get("warning") or {}
                    if warning.get("code") not in (None, "NO_RESULTS_ON_PAGE"):
                        self.errors.append(CollectionError(
                            provider="gcp", account=self.project, region=scope.rsplit("/", 1)[-1],
                            service="compute", operation=operation, code=str(warning.get("code")),
                            message=warning.get("message", "")))
                for scope in doc.get("unreachables") or ():
                    self.errors.append(CollectionError(
                        provider="gcp", account=self.project, region=str(scope).rsplit("/", 1)[-1],
                        service="compute", operation=operation, code="UNREACHABLE",
                        message="scope did not answer"))
            return items
        return self.call(operation, run)

    def effective_firewalls(self, network: str) -> dict:
        def run() -> dict:
            client = self.client(compute_v1.NetworksClient)
            return as_dict(client.get_effective_firewalls(
                request={"project": self.project, "network": network}, **self._kw()))
        return self.call("networks.getEffectiveFirewalls", run)


# What a project is made of besides its networks: (raw key, operation, client, key inside an
# aggregated scope, or "" for a global list).
LISTS: tuple[tuple[str, str, str, str], ...] = (
    ("firewalls", "firewalls.list", "FirewallsClient", ""),
    ("routes", "routes.list", "RoutesClient", ""),
    ("subnetworks", "subnetworks.aggregatedList", "SubnetworksClient", "subnetworks"),
    ("routers", "routers.aggregatedList", "RoutersClient", "routers"),
    ("instances", "instances.aggregatedList", "InstancesClient", "instances"),
    ("forwardingRules", "forwardingRules.aggregatedList", "ForwardingRulesClient", "forwardingRules"),
    ("globalForwardingRules", "globalForwardingRules.list", "GlobalForwardingRulesClient", ""),
    ("firewallPolicies", "networkFirewallPolicies.aggregatedList", "NetworkFirewallPoliciesClient", "firewallPolicies"),
)


def read_list(reader: ProjectReader, operation: str, client: str, scoped_key: str) -> list[dict]:
    cls = getattr(compute_v1, client)
    return reader.aggregated(operation, cls, scoped_key) if scoped_key else reader.listing(operation, cls)


def _project_snapshot(reader: ProjectReader, raw: dict[str, Any] | None) -> Snapshot:
    account = Account(provider="gcp", id=reader.project)
    errors = tuple(sorted(reader.errors, key=lambda e: (e.operation, e.region, e.code, e.message)))
    if raw is None:
        return Snapshot(accounts=(account,), errors=errors)
    snap = normalize.normalize(reader.project, raw)
    return Snapshot(**{**{n: getattr(snap, n) for n in snap.__dataclass_fields__},
                       "accounts": (account,), "errors": errors})


def read_projects(projects: Iterable[str], credentials: Any, api_endpoint: str | None, retry: Retry,
                  max_workers: int, advance: Callable[[str], None]) -> Snapshot:
    """Every call of every project through one bounded pool.

    A project starts with networks.list, which tells whether its Compute API answers at all
    (disabled, denied: one gap, nothing more asked); then its lists and one effective-firewalls
    read per network run alongside every other project's calls.
    """
    projects = list(dict.fromkeys(projects))
    readers = {p: ProjectReader(p, credentials, api_endpoint, retry) for p in projects}
    raws: dict[str, dict[str, Any] | None] = {}
    outstanding = dict.fromkeys(projects, 1)
    results: dict[str, Snapshot] = {}
    jobs: dict[Future, tuple[str, str, str]] = {}  # future -> (project, raw key, network)

    with bounded_pool(max_workers, "gcp") as pool:
        def submit(project: str, key: str, fn: Callable[[], Any], network: str = "") -> Future:
            future = pool.submit(fn)
            jobs[future] = (project, key, network)
            return future

        for p, reader in readers.items():
            submit(p, "networks", lambda r=reader: r.listing("networks.list", compute_v1.NetworksClient))
        pending = set(jobs)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                project, key, network = jobs.pop(future)
                reader = readers[project]
                outstanding[project] -= 1
                try:
                    value = future.result()
                except Gap as gap:
                    # Hierarchical policies decide before the VPC rules: not reading them is a gap too.
                    reader.errors.append(gap.error)
                    if key == "networks":
                        raws[project] = None
                else:
                    if key == "networks":
                        raws[project] = {"networks": value, "effectiveFirewalls": {}}
                        follow = [submit(project, list_key, lambda r=reader, spec=spec: read_list(r, *spec))
                                  for list_key, *spec in LISTS]
                        follow += [submit(project, "effectiveFirewalls", lambda r=reader, n=net["name"]:
                                          r.effective_firewalls(n), network=net["name"]) for net in value]
                        outstanding[project] += len(follow)
                        pending.update(follow)
                    elif key == "effectiveFirewalls":
                        raws[project]["effectiveFirewalls"][network] = value
                    else:
                        raws[project][key] = value
                if outstanding[project] == 0:
                    results[project] = _project_snapshot(reader, raws[project])
                    advance(project)
    # Merge in the order the user gave, so the snapshot does not depend on timing.
    return merge([results[p] for p in projects])
