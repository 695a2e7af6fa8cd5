"""The seeds' reference design, done right, is clean on every cloud; each planted
mistake shows up under its own check and only there."""
from __future__ import annotations

import pytest

import estates
from builder import allow_in
from scanner.audit import audit


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_clean_five_zone_estate_has_no_finding_above_info(cloud):
    report = audit(getattr(estates, cloud)().snapshot())
    assert not report.check_errors
    assert [(f.check_id, f.resource.id) for f in report.findings if f.severity != "info"] == []
    assert all(flow["permitted"] for flow in report.flows)


def test_one_planted_mistake_one_check():
    report = audit(estates.aws(web=[allow_in("tcp", 22, estates.ANY4)]).snapshot())
    assert {(f.check_id, f.resource.id) for f in report.findings} >= {("SEG101", "eni-web")}
    assert not [f for f in report.findings if f.check_id in ("SEG102", "SEG103")]
