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
    # the rule is the cause: one finding, on its security group, naming the workload it exposes;
    # SEG203 (internet -> dmz off 80/443) and SEG403 say the same of the same rule: folded into it
    [finding] = report.findings
    assert (finding.check_id, finding.resource.id, finding.state) == ("SEG101", "sg-web", "live")
    assert [a.id for a in finding.affected] == ["eni-web"]
    assert [a.check_id for a in finding.also] == ["SEG203", "SEG403"]
