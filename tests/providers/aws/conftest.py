"""moto's SearchTransitGatewayRoutes slices a dict when MaxResults is given (TypeError,
a 500 over HTTP); the collector always asks for the API's maximum page, so the fake drops
the parameter. Everything else about the call (filters, result shape) stays moto's own."""
from __future__ import annotations

import pytest
from moto.ec2.models.transit_gateway_route_tables import TransitGatewayRouteTableBackend

_real_search = TransitGatewayRouteTableBackend.search_transit_gateway_routes


def _search(self, transit_gateway_route_table_id, filters, max_results=None):
    return _real_search(self, transit_gateway_route_table_id, filters)


@pytest.fixture(autouse=True, scope="session")
def moto_search_without_max_results():
    TransitGatewayRouteTableBackend.search_transit_gateway_routes = _search
    yield
    TransitGatewayRouteTableBackend.search_transit_gateway_routes = _real_search



@pytest.fixture(autouse=True, scope="session")
def direct_connect_on_the_wire():
    """Every collector session answers Direct Connect from one fake (dx_fake.py); it holds
    no gateways unless a test adds some through the `direct_connect` fixture."""
    from dx_fake import DirectConnectFake
    from providers.aws import fetch

    from moto.core.config import default_user_config

    fake = DirectConnectFake()
    real = fetch.new_session

    def new_session(**kwargs):
        session = real(**kwargs)
        session.events.register_first("before-send.direct-connect", fake.answer)
        return session

    # moto's own Direct Connect (connections only) must let these requests pass to the fake
    # (moto's documented passthrough setting; every mock_aws shares this list)
    passthrough = default_user_config["core"]["passthrough"]["services"]
    passthrough.append("directconnect")
    fetch.new_session = new_session
    yield fake
    fetch.new_session = real
    passthrough.remove("directconnect")


@pytest.fixture
def direct_connect(direct_connect_on_the_wire):
    fake = direct_connect_on_the_wire
    yield fake
    fake.__init__()  # the next test starts without gateways
