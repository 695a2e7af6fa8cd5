"""Shared pieces of the GCP collector tests: a fast retry and one-call collection."""
from __future__ import annotations

from google.api_core.retry import Retry
from google.auth.credentials import AnonymousCredentials

from gcp_fake import FakeCompute, scenario
from providers.gcp import cli, fetch
from providers.gcp.normalize import normalize
from scanner.model import Account, Snapshot, merge
from scanner.progress import QUIET

SCENARIOS = ("default_network", "five_zones", "shadowed", "nat_data", "hostile")


def fast_retry(budget: float = 5.0) -> Retry:
    """The collector's own retry predicate with backoff shrunk to milliseconds."""
    return Retry(predicate=fetch._retryable, initial=0.001, maximum=0.002, multiplier=1.0, timeout=budget)


def load(fake: FakeCompute, *names: str) -> list[str]:
    projects = []
    for name in names:
        raw = scenario(name)
        fake.add(raw["project"], raw)
        projects.append(raw["project"])
    return projects


def collect(projects, retry=None, endpoint=None, workers=4) -> Snapshot:
    return cli.collect(QUIET, workers, project=tuple(projects), api_endpoint=endpoint,
                       credentials=AnonymousCredentials(), retry=retry or fast_retry())


def expected(*names: str) -> Snapshot:
    """What the recorded JSON normalizes to, without any SDK in between."""
    snaps = []
    for name in names:
        raw = scenario(name)
        s = normalize(raw["project"], raw)
        snaps.append(Snapshot(**{**{f: getattr(s, f) for f in s.__dataclass_fields__},
                                 "accounts": (Account(provider="gcp", id=raw["project"]),)}))
    return merge(snaps)
