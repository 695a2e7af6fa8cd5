"""An AWS estate from exported API responses instead of live calls (`--from-dir DIR`).

One JSON file per API call in the shape the AWS CLI and boto3 print (`{"Vpcs": [...]}`),
named by its result key: `DIR/<region>/<Name>.json`, or `DIR/accounts/<account>/<region>/
<Name>.json` for several accounts (providers/aws/export.sh writes the first layout). The
records become the same raw data the live collector gathers and go through the same
normalizer. A missing file is a collection gap naming the API call that would fill it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from providers.aws import fetch, normalize
from providers.exported import folder, read_json
from scanner.errors import InputError
from scanner.model import Account, CollectionError, Snapshot, merge

REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# Per-table files of transit gateway route tables; propagated routes, when absent, are
# derived from the propagations (providers/aws/hubs.py).
PER_TABLE = {fetch.PROPAGATIONS[2]: fetch.PROPAGATIONS[0],
             **{key: fetch.SEARCH for _kind, key in fetch.ROUTE_SEARCHES}}
OPTIONAL = {"TransitGatewayPropagatedRoutes"}
ELB = {**{key: op for op, key in fetch.ELB_SWEEPS}, fetch.LISTENERS[1]: fetch.LISTENERS[0],
       fetch.TARGET_HEALTH[2]: fetch.TARGET_HEALTH[0]}
NFW = {fetch.NFW_LIST[1]: fetch.NFW_LIST[0], **{key: op for op, key in fetch.NFW_CALLS}}
# Direct Connect (global): the gateway listing as the CLI prints it (`directConnectGateways`),
# and per gateway one record {"directConnectGatewayId": ..., <the call's own answer>}.
DX = {fetch.DX_LIST[2]: fetch.DX_LIST[0], **{raw: op for op, _key, raw in fetch.DX_PER_GATEWAY}}
DOC_KEYS = {fetch.DX_LIST[2]: fetch.DX_LIST[1]}  # file name -> the key inside, where they differ
SERVICES = {**{k: "elasticloadbalancing" for k in ELB}, **{k: fetch.NFW_SERVICE for k in NFW},
            **{k: fetch.DX_SERVICE for k in DX}}
ENTRIES_FILE = "PrefixListEntries"  # {"PrefixListEntries": [{"PrefixListId": ..., "Entries": [...]}]}


def api_name(operation: str) -> str:
    return "".join(word.capitalize() for word in operation.split("_"))


def scopes(root: Path, account: str | None) -> list[tuple[str | None, str, Path]]:
    """(account or None, region, folder) for every region folder under `root`."""
    root = folder(str(root))
    found: list[tuple[str | None, str, Path]] = []
    accounts = root / "accounts"
    if accounts.is_dir():
        for acct in sorted(p for p in accounts.iterdir() if p.is_dir()):
            found += [(acct.name, r.name, r) for r in sorted(acct.iterdir()) if r.is_dir() and REGION.match(r.name)]
    found += [(account, r.name, r) for r in sorted(root.iterdir()) if r.is_dir() and REGION.match(r.name)]
    if not found:
        raise InputError(f"{root}: no region folders (like {root}/us-east-1/Vpcs.json, or "
                         f"{root}/accounts/ACCOUNT/us-east-1/Vpcs.json)")
    return found


def _load(path: Path, key: str) -> list[dict[str, Any]]:
    doc = read_json(path)
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict) or not isinstance(doc.get(key, []), list):
        raise InputError(f"{path}: expected an object with a {key!r} list, as the AWS CLI prints it")
    return doc.get(key, [])


def read_region(folder: Path, account: str | None, region: str) -> fetch.RegionData:
    raw: dict[str, list[dict[str, Any]]] = {}
    missing: list[tuple[str, str]] = []
    wanted = [(key, op) for op, key in fetch.SWEEPS] + list(PER_TABLE.items()) + list(ELB.items()) + list(NFW.items())
    wanted += list(DX.items())
    for key, operation in wanted:
        path = folder / f"{key}.json"
        if path.is_file():
            raw[key] = _load(path, DOC_KEYS.get(key, key))
        elif key not in OPTIONAL and (key not in PER_TABLE or raw.get("TransitGatewayRouteTables")) and (
                key not in NFW or key == fetch.NFW_LIST[1] or raw.get(fetch.NFW_LIST[1])) and (
                key not in DX or key == fetch.DX_LIST[2] or raw.get(fetch.DX_LIST[2])):
            missing.append((key, operation))
    account = account or _owner(raw)
    if not account:
        raise InputError(f"{folder}: no OwnerId in the files to tell the account; give --account")
    data = fetch.RegionData(account=account, region=region, raw=raw)
    data.entries = _entries(folder, raw, account, data)
    for key, operation in missing:
        service = SERVICES.get(key, "ec2")
        data.errors.append(CollectionError(provider="aws", account=account, region=region, service=service,
                                           operation=api_name(operation), code="FileMissing",
                                           message=f"{folder / (key + '.json')} is not in the export"))
    return data


def _owner(raw: dict[str, list[dict[str, Any]]]) -> str:
    for key in ("Vpcs", "SecurityGroups", "NetworkInterfaces", "Subnets"):
        for item in raw.get(key, ()):
            if item.get("OwnerId"):
                return str(item["OwnerId"])
    return ""


def _entries(folder: Path, raw: dict[str, list[dict[str, Any]]], account: str,
             data: fetch.RegionData) -> dict[str, list[dict[str, Any]]]:
    """Prefix list entries: the entries file, else the `Cidrs` of DescribePrefixLists records."""
    path = folder / f"{ENTRIES_FILE}.json"
    if path.is_file():
        return {r["PrefixListId"]: r.get("Entries", []) for r in _load(path, ENTRIES_FILE) if r.get("PrefixListId")}
    inline = {pl["PrefixListId"]: [{"Cidr": c} for c in pl["Cidrs"]]
              for pl in raw.get("PrefixLists", ()) if "Cidrs" in pl}
    needed = [p for p in fetch._referenced_prefix_lists(raw, account) if p not in inline]
    if needed:
        data.errors.append(CollectionError(
            provider="aws", account=account, region=data.region, service="ec2",
            operation=api_name(fetch.ENTRIES[0]), code="FileMissing",
            message=f"{path} is not in the export (entries of {', '.join(needed)})"))
    return inline


def snapshot_from_dir(directory: str, account: str | None = None) -> Snapshot:
    parts, accounts, errors = [], {}, []
    for acct, region, folder in scopes(Path(directory), account):
        data = read_region(folder, acct, region)
        accounts[data.account] = Account(provider="aws", id=data.account)
        parts.append(normalize.region_snapshot(data.account, region, data.raw, data.entries))
        errors += data.errors
    return merge([Snapshot(accounts=tuple(accounts.values()), errors=tuple(errors)), *parts])
