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
