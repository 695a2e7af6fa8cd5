"""Read YAML / JSON manifests from a directory into the raw shape the live fetch produces.

Several documents per file, `kind: List` (and `kubectl get -o yaml|json` output, whose
lists are `List` or `PodList` ...) and Helm-rendered output (empty documents, comments)
are all read. Pods come from Pods and from the pod templates of controllers, one per
controller; an object owned by another object of the set (a ReplicaSet of a Deployment,
a Pod of a ReplicaSet, as `kubectl get all -o yaml` exports them) is represented by its
owner only.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import yaml

from providers.kubernetes.raw import CONTROLLERS, Cluster, PodSource, dig, labels_of, meta
from scanner.errors import InputError

SUFFIXES = (".yaml", ".yml", ".json")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_dir(directory: str, cluster: str = "") -> Cluster:
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{directory}: not a directory of manifests")
    objects = [obj for path in sorted(root.rglob("*")) if path.suffix.lower() in SUFFIXES and path.is_file()
               for obj in _objects(_documents(path))]
    return from_objects(objects, cluster or root.resolve().name)


def _documents(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        if path.suffix.lower() == ".json":
            return [json.loads(text)]
        return list(yaml.load_all(text, Loader=_Loader))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON at line {exc.lineno} column {exc.colno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{path}: not valid YAML{where}") from None


def _objects(docs: list[Any]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        if not isinstance(doc, dict):
            continue  # empty documents of Helm output, stray scalars
        kind = str(doc.get("kind", ""))
        if kind.endswith("List") and isinstance(doc.get("items"), list):
            yield from _objects(doc["items"])
        elif kind:
            yield doc


def from_objects(objects: list[dict[str, Any]], cluster: str) -> Cluster:
    out = Cluster(name=cluster, live=False)
    present = {(meta(o).get("namespace") or "default", o.get("kind"), meta(o).get("name")) for o in objects}
    for obj in objects:
        kind, md = obj.get("kind"), meta(obj)
        ns = md.get("namespace") or "default"
        if any((ns, ref.get("kind"), ref.get("name")) in present for ref in md.get("ownerReferences") or ()):
            continue
        if kind == "Namespace":
            out.namespaces.append(obj)
        elif kind == "NetworkPolicy":
            out.policies.append({**obj, "metadata": {**md, "namespace": ns}})
        elif kind == "Service":
            out.services.append({**obj, "metadata": {**md, "namespace": ns}})
        elif kind == "Pod":
            out.pods.append(PodSource("Pod", ns, md.get("name", ""), labels_of(obj), obj.get("spec") or {},
                                      obj.get("status") or {}))
        elif kind in CONTROLLERS:
            template = dig(obj, *CONTROLLERS[kind]) or {}
            out.pods.append(PodSource(kind, ns, md.get("name", ""), labels_of(template), template.get("spec") or {}))
    return out
