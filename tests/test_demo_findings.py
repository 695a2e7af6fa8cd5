"""`segaudit demo` reports each mistake the seeds warn about, and plants, under its own check."""
from __future__ import annotations

import pytest

from scanner.audit import audit


@pytest.fixture(scope="module")
def report():
    from providers.aws.demo import demo_snapshot

    return audit(demo_snapshot())


def names(report, check_id):
    return {f.resource.name or f.resource.id for f in report.findings if f.check_id == check_id}


PLANTED = {
    "SEG301": "data",  # the data group admits 5432 from the app subnet's CIDR, not the app group
    "SEG201": "prod-data",  # the data subnet routes to the internet through NAT
    "SEG202": "prod-internal",  # the app subnet routes straight to the internet gateway
    "SEG402": "bastion-1",  # the app tier reaches the bastion on SSH
    "SEG101": "app-1",  # RDP open to 0.0.0.0/0 on a public app server
    "SEG104": "app-1",  # a public address outside the DMZ
    "SEG303": "default",  # the default security group is attached and admits traffic
    "SEG501": "prod",  # no flow logs
    "SEG205": "prod",  # dev is peered to prod
}


@pytest.mark.parametrize("check_id", sorted(PLANTED))
def test_planted_mistake_is_reported_under_its_check(report, check_id):
    assert PLANTED[check_id] in names(report, check_id)


def test_demo_audit_runs_every_check_cleanly(report):
    assert not report.check_errors
    assert len(report.checks) == 22
