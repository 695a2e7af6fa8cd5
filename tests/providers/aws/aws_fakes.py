"""Helpers for AWS provider tests: a small moto estate, session hooks and fake answers.

Every boto3 session the collector makes comes from providers.aws.fetch.new_session; the
hooks here wrap it to register botocore event handlers (count calls, record operations,
inject throttling, denials and failures) so botocore's real retry and paging code runs.
"""
from __future__ import annotations

import re

import boto3
import threading
from typing import Any, Callable

from botocore.awsrequest import AWSResponse

from providers.aws import fetch

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


class Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any):
        yield self.body


def ec2_error(code: str, status: int, message: str = "injected by the test") -> AWSResponse:
    body = (f"<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></Errors><RequestID>test</RequestID></Response>").encode()
    return AWSResponse("https://ec2.test/", status, {"Content-Type": "text/xml"}, Body(body))


def region_of(request: Any) -> str:
    """The signing region, from the SigV4 credential scope (works for moto in-process and over HTTP)."""
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else auth
    found = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
    return found.group(1) if found else ""


class Hooks:
    """Handlers put first on every collector session's event system."""

    def __init__(self) -> None:
        self.handlers: list[tuple[str, Callable]] = []
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []  # (service, operation) per API call, retries not counted

    def add(self, event: str, handler: Callable) -> None:
        self.handlers.append((event, handler))

    def record_calls(self) -> "Hooks":
        def record(model: Any, **_: Any) -> None:
            with self.lock:
                self.calls.append((model.service_model.service_name, model.name))

        self.add("before-parameter-build", record)
        return self

    def deny_region(self, region: str, code: str = "UnauthorizedOperation") -> "Hooks":
        def deny(request: Any, **_: Any) -> AWSResponse | None:
            return ec2_error(code, 403) if region_of(request) == region else None

        self.add("before-send.ec2", deny)
        return self

    def install(self, monkeypatch: Any) -> "Hooks":
        real = fetch.new_session

        def new_session(**kwargs: Any):
            session = real(**kwargs)
            for event, handler in self.handlers:
                session.events.register_first(event, handler)
            return session

        monkeypatch.setattr(fetch, "new_session", new_session)
        return self


def build_estate(ec2: Any, region: str) -> dict[str, str]:
    """A VPC with the resource kinds the collector reads, in one region; returns their ids."""
    ids: dict[str, str] = {}
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"main-{region}"},
                                         {"Key": "Environment", "Value": "production"}]}])["Vpc"]["VpcId"]
    peer_vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/24", TagSpecifications=[
        {"ResourceType": "subnet", "Tags": [{"Key": "Zone", "Value": "data"}]}])["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[private])
    tgw_rtb = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"][
        "AssociationDefaultRouteTableId"]
    att_id = att["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="192.168.0.0/16",
                                     TransitGatewayAttachmentId=att_id)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rtb, DestinationCidrBlock="172.16.0.0/12",
                                     Blackhole=True)
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000)[
        "CustomerGateway"]["CustomerGatewayId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, VpnGatewayId=vgw,
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]["VpnConnectionId"]
    rt_public = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    rt_private = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt_public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rt_public, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw["EgressOnlyInternetGatewayId"])
    ec2.create_route(RouteTableId=rt_private, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.create_route(RouteTableId=rt_private, DestinationCidrBlock="10.30.0.0/16",
                     VpcPeeringConnectionId=pcx["VpcPeeringConnectionId"])
    ec2.create_route(RouteTableId=rt_private, DestinationCidrBlock="192.168.0.0/16", TransitGatewayId=tgw)
    ec2.associate_route_table(RouteTableId=rt_public, SubnetId=public)
    ec2.associate_route_table(RouteTableId=rt_private, SubnetId=private)
    s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", VpcEndpointType="Gateway",
                                 RouteTableIds=[rt_private])["VpcEndpoint"]["VpcEndpointId"]
    pl = ec2.create_managed_prefix_list(PrefixListName="office", MaxEntries=5, AddressFamily="IPv4", Entries=[
        {"Cidr": "198.51.100.0/24", "Description": "office"}])["PrefixList"]["PrefixListId"]
    web = ec2.create_security_group(VpcId=vpc, GroupName="web", Description="web")["GroupId"]
    db = ec2.create_security_group(VpcId=vpc, GroupName="db", Description="db")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
         "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": pl}]},
    ])
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.20.0.0/16"}]},
    ])
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.20.0.0/16", PortRange={"From": 5432, "To": 5432})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="-1", RuleAction="deny", Egress=False,
                                 CidrBlock="0.0.0.0/0")
    default_acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                     {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
    assoc = next(a["NetworkAclAssociationId"] for a in default_acl["Associations"] if a["SubnetId"] == private)
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    image = "ami-12c6146b"  # moto does not check images; describing its catalogue costs a second
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=private, SecurityGroupIds=[db],
                                 TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                     {"Key": "Name", "Value": "db-1"}]}])["Instances"][0]["InstanceId"]
    # same endpoint as the EC2 client (a moto server answers every service on one URL)
    endpoint = ec2.meta.endpoint_url if "amazonaws.com" not in ec2.meta.endpoint_url else None
    elb = boto3.client("elbv2", region_name=region, endpoint_url=endpoint)
    lb = elb.create_load_balancer(Name=f"web-{region}", Type="network", Subnets=[public])["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"web-{region}", Protocol="TCP", Port=5432, VpcId=vpc,
                                 TargetType="instance")["TargetGroups"][0]
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": instance}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=443,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    ids.update(vpc=vpc, nlb=lb["LoadBalancerArn"], target_group=tg["TargetGroupArn"], peer_vpc=peer_vpc, public=public, private=private, igw=igw, nat=nat, tgw=tgw,
               eigw=eigw["EgressOnlyInternetGatewayId"], pcx=pcx["VpcPeeringConnectionId"],
               tgw_attachment=att_id, tgw_rtb=tgw_rtb, vgw=vgw, vpn=vpn, cgw=cgw,
               rt_public=rt_public, rt_private=rt_private, s3_endpoint=s3, prefix_list=pl, web=web, db=db,
               acl=acl, instance=instance)
    return ids


def add_flow_log(ec2: Any, vpc: str) -> str:
    return ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT",
                                LogDestinationType="cloud-watch-logs", LogGroupName="vpc-flow",
                                DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow")["FlowLogIds"][0]
