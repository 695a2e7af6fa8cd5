"""What the live fetch and the manifest reader both produce: one cluster's API objects.

Objects stay in the API's own JSON spelling (camelCase dicts), so the normalizer is one
pure function for both sources and is tested on plain JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model import CollectionError

# Controllers whose pod template becomes one workload (manifests); the path to the template.
CONTROLLERS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


@dataclass(frozen=True, slots=True)
class PodSource:
    """A running pod (live) or a controller's pod template (manifests)."""

    kind: str  # "Pod" or the controller kind
    namespace: str
    name: str
    labels: dict[str, str]
    spec: dict[str, Any]  # the PodSpec
    status: dict[str, Any] = field(default_factory=dict)  # live pods only
    owner: str = ""  # the controller's name for a live pod


@dataclass
class Cluster:
    name: str
    live: bool  # False: manifests, which cannot show what the CNI enforces
    namespaces: list[dict[str, Any]] = field(default_factory=list)
    pods: list[PodSource] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    daemonsets: list[dict[str, Any]] | None = None  # None: not read
    errors: list[CollectionError] = field(default_factory=list)


def dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def labels_of(obj: dict[str, Any] | None) -> dict[str, str]:
    found = meta(obj or {}).get("labels") or {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
