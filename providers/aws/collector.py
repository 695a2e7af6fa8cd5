"""Accounts x regions, collected on a bounded thread pool and normalized into one Snapshot."""
from __future__ import annotations

import threading
from typing import Any

from providers.aws import fetch, normalize
from scanner.model import Account, CollectionError, Snapshot, merge
from scanner.progress import QUIET, Progress


def collect_snapshot(progress: Progress = QUIET, max_workers: int = 8, *, regions: tuple[str, ...] = (),
                     profile: str | None = None, role_arns: tuple[str, ...] = (), external_id: str | None = None,
                     role_name: str | None = None, accounts_file: str | None = None,
                     max_attempts: int = 10) -> Snapshot:
    targets = fetch.targets_from(profile, role_arns, external_id, role_name, accounts_file)
    stop = threading.Event()
    accounts: list[fetch.Credentials] = []
    errors: list[CollectionError] = []

    def resolved(result: Any) -> None:
        (errors if isinstance(result, CollectionError) else accounts).append(result)

    fetch.run_pool([lambda t=t: fetch.resolve_account(t, max_attempts) for t in targets],
                   max_workers, stop, resolved)
    accounts = list({c.account: c for c in accounts}.values())

    scopes: list[tuple[fetch.Credentials, str]] = []
    for creds in accounts:
        if regions:
            scopes.extend((creds, r) for r in regions)
            continue
        try:
            scopes.extend((creds, r) for r in fetch.enabled_regions(creds, max_attempts))
        except (fetch.ClientError, fetch.BotoCoreError) as exc:
            errors.append(fetch.error_from(exc, creds.account, creds.region or fetch.HOME_REGION, "describe_regions"))

    parts: list[Snapshot] = []
    progress.start(len(scopes))
    # Direct Connect gateways are global: one read per account, in its first region, whose
    # records every region of the account is normalized with (a region waits for them).
    first = {c.account: (c, r) for c, r in reversed(scopes)}
    global_raw: dict[str, dict[str, list[dict[str, Any]]]] = {}
    waiting: dict[str, list[fetch.RegionData]] = {}

    def normalized(data: fetch.RegionData) -> None:
        raw = {**data.raw, **global_raw[data.account]}
        parts.append(normalize.region_snapshot(data.account, data.region, raw, data.entries))

    def collected(data: fetch.RegionData) -> None:
        errors.extend(data.errors)
        if isinstance(data, GlobalData):
            global_raw[data.account] = data.raw
            for region_data in waiting.pop(data.account, ()):
                normalized(region_data)
            return
        if data.account in global_raw:
            normalized(data)
        else:
            waiting.setdefault(data.account, []).append(data)
        progress.advance(f"{data.account}/{data.region}")

    jobs = [lambda c=c, r=r: GlobalData.of(fetch.direct_connect(c, r, max_attempts, stop)) for c, r in first.values()]
    jobs += [lambda c=c, r=r: fetch.collect_region(c, r, max_attempts, stop) for c, r in scopes]
    fetch.run_pool(jobs, max_workers, stop, collected)
    return _sorted(merge([
        Snapshot(accounts=tuple(Account(provider="aws", id=c.account) for c in accounts), errors=tuple(errors)),
        *parts,
    ]))


class GlobalData(fetch.RegionData):
    """The account-wide records (Direct Connect) read in one region."""

    @classmethod
    def of(cls, data: fetch.RegionData) -> "GlobalData":
        return cls(account=data.account, region=data.region, raw=data.raw, errors=data.errors)


def _sorted(snap: Snapshot) -> Snapshot:
    """Same estate, same snapshot: the pool finishes scopes in any order."""
    def key(item: Any) -> tuple:
        if isinstance(item, CollectionError):
            return (item.account, item.region, item.service, item.operation, item.code)
        return (getattr(item, "account", ""), getattr(item, "region", ""), item.id)

    return Snapshot(**{name: tuple(sorted(getattr(snap, name), key=key))
                       for name in snap.__dataclass_fields__})
