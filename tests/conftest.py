"""Keep every test away from real clouds and metadata servers.

The environment is set before any SDK can be imported, and a socket guard refuses every
connection that is not to loopback, so a test that would have gone out fails instead.
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

for _name in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + [
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
]:
    os.environ.pop(_name, None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "NO_GCE_CHECK": "true",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
})

sys.path.insert(0, str(Path(__file__).parent))

_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: object) -> bool:
    return isinstance(host, str) and (host.startswith(_LOOPBACK) or host in ("", "0.0.0.0"))


def _guarded_connect(self, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(host):
        raise ConnectionRefusedError(f"test tried to reach {address!r}: tests stay offline")
    return _real_connect(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not _is_loopback(host if isinstance(host, str) else host.decode()):
        raise socket.gaierror(f"test tried to resolve {host!r}: tests stay offline")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


# Every SARIF any test renders must pass the official schema and GitHub's upload rules.
import json as _json  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _every_sarif_is_valid(monkeypatch):
    import output.sarif
    from output import sarif_rules

    real = output.sarif.render

    def checked(report, options=output.sarif.RenderOptions()):
        text = real(report, options)
        problems = sarif_rules.problems(_json.loads(text))
        assert not problems, f"SARIF fails validation: {problems[:5]}"
        return text

    monkeypatch.setattr(output.sarif, "render", checked)
