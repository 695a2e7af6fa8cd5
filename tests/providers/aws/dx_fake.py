"""AWS Direct Connect at the HTTP level: moto implements no Direct Connect gateway call, so
this answers them on the wire in the protocol botocore chose for the request (JSON 1.1,
or Smithy RPC v2 CBOR encoded with botocore's own CBOR code), and botocore's real
serializer, paginator and parser run on the collector's clients. Pages are cut at the
request's maxResults."""
from __future__ import annotations

import json
import threading
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import CBORSerializer

from aws_fakes import Body

ACCOUNT = "123456789012"
_MODEL = boto3.client("directconnect", region_name="us-east-1").meta.service_model
CBOR = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
JSON = {"Content-Type": "application/x-amz-json-1.1"}
LISTS = {"DescribeDirectConnectGateways": "directConnectGateways",
         "DescribeDirectConnectGatewayAssociations": "directConnectGatewayAssociations",
         "DescribeDirectConnectGatewayAttachments": "directConnectGatewayAttachments"}


def _cbor(value: dict[str, Any], shape: Any = None) -> bytes:
    out = bytearray()
    encoder = CBORSerializer()
    if shape is not None:
        encoder._serialize_data_item(out, value, shape)
        return bytes(out)
    # an error body: a map of strings, which no output shape describes
    out.extend(encoder._get_initial_byte(encoder.MAP_MAJOR_TYPE, len(value)))
    for k, v in value.items():
        encoder._serialize_type_string(out, k, None, None)
        encoder._serialize_type_string(out, v, None, None)
    return bytes(out)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class DirectConnectFake:
    def __init__(self) -> None:
        self.gateways: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []
        self.attachments: list[dict[str, Any]] = []
        self.denied: set[str] = set()  # operations answered AccessDeniedException
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def gateway(self, gw_id: str, owner: str = ACCOUNT, state: str = "available") -> str:
        self.gateways.append({"directConnectGatewayId": gw_id, "directConnectGatewayName": gw_id,
                              "amazonSideAsn": 64512, "ownerAccount": owner, "directConnectGatewayState": state})
        return gw_id

    def associate(self, gw_id: str, gateway_id: str, prefixes: tuple[str, ...], region: str = "us-east-1",
                  state: str = "associated") -> None:
        kind = "transitGateway" if gateway_id.startswith("tgw-") else "virtualPrivateGateway"
        record = {"directConnectGatewayId": gw_id, "directConnectGatewayOwnerAccount": ACCOUNT,
                  "associationState": state, "associationId": f"assoc-{gw_id}-{gateway_id}",
                  "associatedGateway": {"id": gateway_id, "type": kind, "ownerAccount": ACCOUNT, "region": region},
                  "allowedPrefixesToDirectConnectGateway": [{"cidr": c} for c in prefixes]}
        if kind == "virtualPrivateGateway":
            record.update(virtualGatewayId=gateway_id, virtualGatewayRegion=region, virtualGatewayOwnerAccount=ACCOUNT)
        self.associations.append(record)

    def attach(self, gw_id: str, vif: str, state: str = "attached", kind: str = "TransitVirtualInterface") -> None:
        self.attachments.append({"directConnectGatewayId": gw_id, "virtualInterfaceId": vif,
                                 "virtualInterfaceRegion": "us-east-1", "virtualInterfaceOwnerAccount": ACCOUNT,
                                 "attachmentState": state, "attachmentType": kind})

    def _items(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if operation == "DescribeDirectConnectGateways":
            return self.gateways
        pool = self.associations if operation == "DescribeDirectConnectGatewayAssociations" else self.attachments
        return [a for a in pool if a["directConnectGatewayId"] == params.get("directConnectGatewayId")]

    def answer(self, request: Any, **_: Any) -> AWSResponse:
        cbor = "cbor" in _text(request.headers.get("Content-Type", ""))
        target = _text(request.headers.get("X-Amz-Target", ""))
        operation = target.rsplit(".", 1)[-1] if target else request.url.rsplit("/", 1)[-1]
        body = request.body or b""
        params = (RpcV2CBORParser()._initial_body_parse(body) if cbor else json.loads(body or b"{}")) or {}
        with self.lock:
            self.requests.append((operation, params))

        def reply(status: int, doc: dict[str, Any], shape: Any = None) -> AWSResponse:
            data = _cbor(doc, shape) if cbor else json.dumps(doc).encode()
            return AWSResponse(request.url, status, CBOR if cbor else JSON, Body(data))

        if operation in self.denied:
            return reply(400, {"__type": "AccessDeniedException", "message": f"not authorized to perform {operation}"})
        items = self._items(operation, params)
        start = int(params.get("nextToken") or 0)
        size = min(int(params.get("maxResults") or 100), 100)
        page: dict[str, Any] = {LISTS[operation]: items[start:start + size]}
        if start + size < len(items):
            page["nextToken"] = str(start + size)
        return reply(200, page, _MODEL.operation_model(operation).output_shape)
