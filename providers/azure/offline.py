"""Azure subscriptions from exported ARM list answers instead of live calls (`--from-dir DIR`).

`DIR/<subscription id>/<key>.json`, each an ARM list response as `az rest --method get
--url .../providers/Microsoft.Network/<type>?api-version=...` prints it (`{"value": [...]}`;
a bare list is accepted too), named by the keys of providers/azure/fetch.py LISTS
(`virtualNetworks.json`, `networkSecurityGroups.json`, `routeTables.json`, ...), plus
`flowLogs.json` (every network watcher's flow logs) and
`firewallPolicyRuleCollectionGroups.json` (the rule collection groups of the subscription's
Firewall Policies, which then count as read in full). Same normalizer as a live scan; a
missing file is a collection gap naming the list call.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.azure import normalize
from providers.azure.fetch import LISTS, SERVICE
from providers.exported import folder, read_json
from scanner.errors import InputError
from scanner.model import CollectionError, Snapshot

FLOW_LOGS = ("flowLogs", "flowLogs.list")
GROUPS = ("firewallPolicyRuleCollectionGroups", "firewallPolicyRuleCollectionGroups.list")


def _items(path: Path) -> list[dict[str, Any]]:
    doc = read_json(path)
    items = doc.get("value") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InputError(f"{path}: expected an ARM list response ({{\"value\": [...]}}), as `az rest` prints it")
    return items


def read_subscription(sub_dir: Path) -> tuple[dict[str, Any], list[CollectionError]]:
    subscription = sub_dir.name
    raw: dict[str, Any] = {"subscription": subscription, "firewallPolicyGroupsRead": []}
    gaps: list[CollectionError] = []
    for key, operation in [(k, f"{k}.list_all") for k, _group in LISTS] + [FLOW_LOGS, GROUPS]:
        path = sub_dir / f"{key}.json"
        if path.is_file():
            raw[key] = _items(path)
        else:
            raw[key] = []
            gaps.append(CollectionError(provider="azure", account=subscription, service=SERVICE, operation=operation,
                                        code="FileMissing", message=f"{path} is not in the export"))
    if (sub_dir / f"{GROUPS[0]}.json").is_file():
        raw["firewallPolicyGroupsRead"] = [{"id": p["id"]} for p in raw.get("firewallPolicies", [])]
    return raw, gaps


def snapshot_from_dir(directory: str) -> Snapshot:
    root = folder(directory)
    subs = sorted(p for p in root.iterdir() if p.is_dir())
    if not subs:
        raise InputError(f"{root}: no subscription folders (like {root}/SUBSCRIPTION-ID/virtualNetworks.json)")
    read = [read_subscription(s) for s in subs]
    return normalize.snapshot([raw for raw, _ in read], [g for _, gaps in read for g in gaps])
