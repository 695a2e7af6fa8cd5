"""GCP projects from exported list answers instead of live calls (`--from-dir DIR`).

`DIR/<project>/<key>.json`, each the JSON list `gcloud compute ... list --format=json`
prints (REST field names): `networks.json`, `subnetworks.json` (`networks subnets list`),
`firewalls.json`, `routes.json`, `routers.json`, `instances.json`, `forwardingRules.json`
(regional), `globalForwardingRules.json`, `firewallPolicies.json`
(`network-firewall-policies list`), and `effectiveFirewalls/<network>.json`
(`networks get-effective-firewalls NETWORK`). They go through the same normalizer as a live
scan; a missing file is a collection gap naming the API call.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.exported import folder, read_json
from providers.gcp import normalize
from scanner.errors import InputError
from scanner.model import Account, CollectionError, Snapshot, merge

NETWORKS = ("networks", "networks.list")
# (raw key, operation), as providers/gcp/fetch.py LISTS reads them live
LISTS = (("firewalls", "firewalls.list"), ("routes", "routes.list"), ("subnetworks", "subnetworks.aggregatedList"),
         ("routers", "routers.aggregatedList"), ("instances", "instances.aggregatedList"),
         ("forwardingRules", "forwardingRules.aggregatedList"), ("globalForwardingRules", "globalForwardingRules.list"),
         ("firewallPolicies", "networkFirewallPolicies.aggregatedList"))
EFFECTIVE = ("effectiveFirewalls", "networks.getEffectiveFirewalls")


def _gap(project: str, operation: str, path: Path) -> CollectionError:
    return CollectionError(provider="gcp", account=project, region="global", service="compute", operation=operation,
                           code="FileMissing", message=f"{path} is not in the export")


def _list(path: Path) -> list[dict[str, Any]]:
    doc = read_json(path)
    if not isinstance(doc, list):
        raise InputError(f"{path}: expected a JSON list, as `gcloud ... list --format=json` prints it")
    return doc


def read_project(project_dir: Path) -> Snapshot:
    project = project_dir.name
    account = Account(provider="gcp", id=project)
    errors: list[CollectionError] = []
    networks = project_dir / f"{NETWORKS[0]}.json"
    if not networks.is_file():
        return Snapshot(accounts=(account,), errors=(_gap(project, NETWORKS[1], networks),))
    raw: dict[str, Any] = {NETWORKS[0]: _list(networks), EFFECTIVE[0]: {}}
    for key, operation in LISTS:
        path = project_dir / f"{key}.json"
        if path.is_file():
            raw[key] = _list(path)
        else:
            errors.append(_gap(project, operation, path))
    for net in raw[NETWORKS[0]]:
        path = project_dir / EFFECTIVE[0] / f"{net['name']}.json"
        if path.is_file():
            raw[EFFECTIVE[0]][net["name"]] = read_json(path)
        else:
            errors.append(_gap(project, EFFECTIVE[1], path))
    snap = normalize.normalize(project, raw)
    return Snapshot(**{**{n: getattr(snap, n) for n in snap.__dataclass_fields__},
                       "accounts": (account,), "errors": tuple(errors)})


def snapshot_from_dir(directory: str) -> Snapshot:
    root = folder(directory)
    projects = sorted(p for p in root.iterdir() if p.is_dir())
    if not projects:
        raise InputError(f"{root}: no project folders (like {root}/my-project/networks.json)")
    return merge([read_project(p) for p in projects])
