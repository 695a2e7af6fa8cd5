"""ref() leaves plain ids as they are instead of quoting each part: the same URI as
quoting every part, on random ids (slashes, percent signs, spaces, non-ASCII)."""
from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings, strategies as st

from builder import Estate
from scanner.findings import ref

ids = st.text(st.sampled_from(list("azAZ09-_.~/%: éü+=")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(ids, ids, ids)
def test_uri_is_every_part_quoted(rid, account, region):
    e = Estate("aws", account=account, region=region)
    network = e.network(rid or "n")
    parts = ("cloud", "aws", account or "-", region or "global", "network", rid or "n")
    assert ref(network).uri == "/".join(quote(p, safe="") for p in parts)
