"""Reports built in code for the emitter tests: findings of real checks' metadata on
builder resources, plus zones, flows and permitted flows in the shapes Report documents."""
from __future__ import annotations

from dataclasses import replace

from builder import Estate
from scanner.engine import CheckError, CheckMeta, to_finding
from scanner.findings import Result
from scanner.model import CollectionError
from scanner.report import Report


def meta(id: str, severity: str, **kw) -> CheckMeta:
    base = dict(
        id=id, name=f"rule-{id.lower()}", title=f"Title of {id}", severity=severity,
        rationale=f"Why {id} matters for segmentation.", remediation=f"Fix {id}.",
        fix_example='resource "aws_security_group_rule" "x" {\n  cidr_blocks = ["10.0.0.0/8"]\n}',
        references=("https://example.org/seg",), tags=("exposure",),
    )
    base.update(kw)
    return CheckMeta(**base)


CHECKS = (meta("SEG101", "critical"), meta("SEG201", "high"), meta("SEG301", "medium"),
          meta("SEG401", "low"), meta("SEG601", "info"))

ZONES = (
    {"name": "internet", "trust": 0, "description": "everything outside", "subnets": [], "workloads": 0},
    {"name": "dmz", "trust": 1, "subnets": ["subnet-pub"], "workloads": 2},
    {"name": "internal", "trust": 2, "subnets": ["subnet-app"], "workloads": 5},
    {"name": "data", "trust": 3, "subnets": ["subnet-db"], "workloads": 1},
    {"name": "management", "trust": 4, "subnets": ["subnet-mgmt"], "workloads": 1},
)
PERMITTED = (
    {"source": "internet", "destination": "dmz", "ports": ["tcp/443"], "note": "public web"},
    {"source": "dmz", "destination": "internal", "ports": ["tcp/8080"], "note": "app tier"},
    {"source": "internal", "destination": "data", "ports": ["tcp/5432"], "note": "database"},
    {"source": "management", "destination": "internal", "ports": ["tcp/22"], "note": "admin"},
)
FLOWS = (
    {"source": "internet", "destination": "dmz", "ports": ["tcp/443"], "permitted": True, "violating_ports": []},
    {"source": "internet", "destination": "management", "ports": ["tcp/22", "tcp/3389"], "permitted": False,
     "violating_ports": ["tcp/22", "tcp/3389"]},
    {"source": "dmz", "destination": "data", "ports": ["tcp/5432"], "permitted": False,
     "violating_ports": ["tcp/5432"]},
)


def findings(n_per_check: int = 1, checks=CHECKS, provider: str = "aws"):
    e = Estate(provider, account="123456789012", region="eu-west-1")
    out = []
    for c in checks:
        for i in range(n_per_check):
            net = e.network(f"vpc-{c.id.lower()}-{i}", "10.0.0.0/16")
            out.append(to_finding(c, Result(net, f"{c.id} fires on {net.id}", evidence=("rule r-1",),
                                            zones=("internet", "dmz"))))
    return tuple(sorted(out, key=lambda f: f.sort_key))


def report(**kw) -> Report:
    base = dict(
        tool_version="0.1.0", accounts=Estate("aws", account="123456789012").snapshot().accounts,
        checks=CHECKS, findings=findings(), check_errors=(), gaps=(),
        zones=ZONES, flows=FLOWS, permitted=PERMITTED,
    )
    base.update(kw)
    return Report(**base)


GAP = CollectionError(provider="aws", account="123456789012", region="ap-south-1", service="ec2",
                      operation="DescribeSecurityGroups", code="AccessDenied", message="not authorized")
CHECK_ERROR = CheckError("SEG301", "KeyError: 'x'")


def suppressed(f, reason="accepted risk"):
    from scanner.suppressions import Suppression

    return replace(f, suppression=Suppression(check=f.check_id, resource=f.resource.id, reason=reason))
