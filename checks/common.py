"""Small helpers the built-in checks share."""
from __future__ import annotations

from typing import Iterable

from scanner.model import Workload
from scanner.ports import PortSet

ADMIN_PORTS = ("tcp/22", "tcp/3389", "tcp/6443", "tcp/5985-5986", "tcp/23", "tcp/2375-2376", "tcp/10250")
DATA_PORTS = ("tcp/3306", "tcp/5432", "tcp/1433", "tcp/1521", "tcp/27017", "tcp/6379", "tcp/9200", "tcp/9300",
              "tcp/5984", "tcp/11211", "tcp/9042")
MGMT_PORTS = ("tcp/22", "tcp/3389", "tcp/5985-5986", "tcp/6443")


def port_set(specs: Iterable[str]) -> PortSet:
    return PortSet.union_of(PortSet.parse(s) for s in specs)


def label(wl: Workload) -> str:
    name = wl.name or wl.owner_name
    return f"{wl.id} ({name})" if name else wl.id


def listing(portset: PortSet) -> str:
    return ", ".join(portset.describe())
