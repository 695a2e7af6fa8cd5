"""The small judgements checks share: what counts as private, production, covering."""
import pytest

from checks.common import covers_all, within
from checks.separation import NONPROD_VALUES, PROD_VALUES, classify


@pytest.mark.parametrize("value,env", [
    ("Production", "prod"), ("prd", "prod"), ("shop-prod", "prod"), ("prod-eu-west", "prod"),
    ("dev", "nonprod"), ("QA", "nonprod"), ("team-sandbox", "nonprod"), ("non-prod", "nonprod"),
    ("pre-prod", "nonprod"), ("shared", None), ("prod-test", None), ("", None),
])
def test_environment_of_a_tag_value_or_account_name(value, env):
    assert classify(value, PROD_VALUES, NONPROD_VALUES) == env


def test_private_and_covering_ranges():
    private = ("10.0.0.0/8", "fc00::/7")
    assert within("10.1.2.0/24", private) and within("fd00::/64", private)
    assert not within("0.0.0.0/0", private) and not within("11.0.0.0/8", private) and not within("x", private)
    assert covers_all("10.0.0.0/8", ["10.0.0.0/16", "10.9.0.0/20"])
    assert not covers_all("10.0.0.0/16", ["10.0.0.0/16", "10.9.0.0/20"])
    assert not covers_all("10.0.0.0/8", [])


def test_evidence_is_capped_with_a_count_of_the_rest():
    from checks.common import capped

    assert capped(["a", "b"], 2) == ("a", "b")
    assert capped([str(i) for i in range(12)], 10)[-1] == "... and 2 more"
