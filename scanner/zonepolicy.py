"""The zone policy file: zones with selectors, and the flows permitted between them.

Everything across a zone boundary that no flow permits is a violation (default deny).
Without a file, the seeds' five-zone model applies (DEFAULT_POLICY).
"""
from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from scanner import codec
from scanner.errors import InputError, read_user_text
from scanner.ports import PortSet

INTERNET = "internet"


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    trust: int = 0
    description: str = ""
    selectors: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    source: str
    destination: str
    ports: PortSet
    note: str = ""


@dataclass(frozen=True, slots=True)
class ZonePolicy:
    zones: tuple[Zone, ...]
    flows: tuple[Flow, ...]
    source: str = "built-in five-zone model"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(z.name for z in self.zones)

    def zone(self, name: str) -> Zone | None:
        return next((z for z in self.zones if z.name == name), None)

    def external_zones(self) -> dict[str, tuple[str, ...]]:
        """Zones of addresses outside the estate (a VPN range, partner offices): every
        selector of the zone is a bare `cidr`. Such a zone holds no subnet or workload of
        its own; one that does (a zone defined by its subnets' ranges) is an ordinary
        zone, which ZoneMap.external_zones() decides against the snapshot."""
        found = {}
        for z in self.zones:
            if z.name != INTERNET and z.selectors and all(set(sel) == {"cidr"} for sel in z.selectors):
                found[z.name] = tuple(sel["cidr"] for sel in z.selectors)
        return found

    def permitted(self, source: str, destination: str) -> PortSet:
        if source == destination:
            return PortSet.all()  # inside a zone is east-west, judged by other checks
        ports = PortSet.union_of(f.ports for f in self.flows if f.source == source and f.destination == destination)
        if source != INTERNET and self._public_external(source):
            # Public external addresses are on the internet too: what the internet may open, they may.
            ports = ports | self.permitted(INTERNET, destination)
        return ports

    def _public_external(self, name: str) -> bool:
        from scanner.external import private

        cidrs = self.external_zones().get(name, ())
        return any(not private(ipaddress.ip_network(c, strict=False)) for c in cidrs)


# The seeds' permitted flows, exactly: internet -> DMZ on 80/443; DMZ -> internal on
# application ports; internal -> data on database and secret-store ports; management ->
# all zones on SSH, RDP and API-management ports. Everything else is blocked.
APP_PORTS = ["tcp/80", "tcp/443", "tcp/8000-8999"]
DATA_PORTS = ["tcp/3306", "tcp/5432", "tcp/1433", "tcp/1521", "tcp/27017", "tcp/6379", "tcp/9200",
              "tcp/5984", "tcp/11211", "tcp/9042", "tcp/8200", "tcp/443"]
MGMT_PORTS = ["tcp/22", "tcp/3389", "tcp/443", "tcp/6443", "tcp/5985-5986"]

DEFAULT_DOC: dict[str, Any] = {
    "version": 1,
    "zones": [
        {"name": "dmz", "trust": 1, "description": "Internet-facing services: load balancers, WAF, reverse proxies"},
        {"name": "internal", "trust": 2, "description": "Application workloads, business logic, internal APIs"},
        {"name": "data", "trust": 3, "description": "Databases, object stores, secret management, backups"},
        {"name": "management", "trust": 4, "description": "Bastions, PAWs, monitoring, configuration management"},
    ],
    "flows": [
        {"from": "internet", "to": "dmz", "ports": ["tcp/80", "tcp/443"], "note": "through WAF/CDN"},
        {"from": "dmz", "to": "internal", "ports": APP_PORTS, "note": "through load balancer or reverse proxy"},
        {"from": "internal", "to": "data", "ports": DATA_PORTS, "note": "specific service endpoints only"},
        *({"from": "management", "to": z, "ports": MGMT_PORTS, "note": "from PAW/bastion hosts only"}
          for z in ("dmz", "internal", "data")),
    ],
}


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("scanner").joinpath("schemas", "zones.schema.json").read_text()
    return Draft202012Validator(json.loads(text), format_checker=codec.FORMATS)


def from_document(doc: Any, source: str) -> ZonePolicy:
    error = codec.first_error(_validator(), doc)
    if error is not None:
        raise InputError(f"{source}: {error}")
    zones = [Zone(INTERNET, 0, "Untrusted: every public address")]
    seen = {INTERNET}
    for i, z in enumerate(doc["zones"]):
        if z["name"] in seen:
            raise InputError(f"{source}: zones[{i}].name: zone {z['name']!r} is defined twice")
        seen.add(z["name"])
        zones.append(Zone(z["name"], z.get("trust", 0), z.get("description", ""), tuple(z.get("match", ()))))
    flows = []
    for i, f in enumerate(doc.get("flows", ())):
        for end in ("from", "to"):
            if f[end] not in seen:
                raise InputError(f"{source}: flows[{i}].{end}: unknown zone {f[end]!r}")
        try:
            ports = PortSet.union_of(PortSet.parse(p) for p in f["ports"])
        except ValueError as exc:
            raise InputError(f"{source}: flows[{i}].ports: {exc}") from None
        flows.append(Flow(f["from"], f["to"], ports, f.get("note", "")))
    return ZonePolicy(tuple(zones), tuple(flows), source)


def loads(text: str, source: str) -> ZonePolicy:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{source}: not valid YAML{where}") from None
    return from_document(doc, source)


def load(path: str | None) -> ZonePolicy:
    if path is None:
        return default_policy()
    text = read_user_text(path, "YAML")
    return loads(text, path)


@lru_cache(maxsize=1)
def default_policy() -> ZonePolicy:
    return from_document(DEFAULT_DOC, "built-in five-zone model")
