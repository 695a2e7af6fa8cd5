"""`segaudit demo`: a small AWS estate built in-process with moto, read by the real collector.

The estate follows the seeds' five-zone model (internet outside; dmz, internal, data and
management subnets tagged Zone=...) with their common mistakes planted, so the audit has
something true to say:

- the data security group admits 5432 from the app subnet's CIDR instead of the app group;
- the data subnet routes 0.0.0.0/0 to a NAT gateway;
- the management group admits SSH from the app group (the app tier can reach admin ports);
- the app subnet routes straight to the internet gateway, and the app instance has a public
  IP with its group opening RDP (3389) to 0.0.0.0/0: an admin port the internet reaches;
- the default security group is attached to an instance and admits traffic;
- no VPC has flow logs;
- a development VPC is peered to production with routes on both sides.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator
from unittest import mock

from scanner.errors import InputError
from scanner.model import Snapshot
from scanner.progress import QUIET, Progress

REGION = "us-east-1"
PROD_CIDR, DEV_CIDR = "10.0.0.0/16", "10.1.0.0/16"
ZONES = {  # zone -> subnet CIDR of the production VPC
    "dmz": "10.0.0.0/20",
    "internal": "10.0.16.0/20",
    "data": "10.0.32.0/20",
    "management": "10.0.48.0/20",
}
# Never let a user's environment send the demo anywhere but moto.
_CLEAN_ENV = {"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_SESSION_TOKEN": "demo",
              "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
              "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def _tags(kind: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@contextmanager
def mocked() -> Iterator[None]:
    try:
        from moto import mock_aws
    except ImportError:
        raise InputError("the demo needs moto: pip install 'segaudit[demo]'") from None
    drop = [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
    from providers.aws import fetch

    real = fetch.new_session

    def new_session(**kwargs: Any) -> Any:
        session = real(**kwargs)
        session.events.register_first("before-call.direct-connect", _no_direct_connect)
        return session

    with mock.patch.dict(os.environ, _CLEAN_ENV), mock.patch.object(fetch, "new_session", new_session):
        for key in drop:
            os.environ.pop(key, None)
        with mock_aws():
            yield


class _Answered:
    status_code = 200
    headers: dict[str, str] = {}


# moto serves no Direct Connect gateway call: the demo account has none, and says so
# before botocore would send the request anywhere.
_DX_LISTS = {"DescribeDirectConnectGateways": "directConnectGateways",
             "DescribeDirectConnectGatewayAssociations": "directConnectGatewayAssociations",
             "DescribeDirectConnectGatewayAttachments": "directConnectGatewayAttachments"}


def _no_direct_connect(model: Any, **_: Any) -> tuple[_Answered, dict[str, Any]] | None:
    key = _DX_LISTS.get(model.name)
    if key is None:
        raise InputError(f"the demo has no answer for Direct Connect {model.name}")
    return _Answered(), {key: []}


def build_estate(ec2: Any) -> dict[str, str]:
    """Create the demo estate through the EC2 API; returns the ids of what was planted."""
    ids: dict[str, str] = {}
    image = "ami-12c6146b"  # moto does not check images; describing its catalogue costs a second

    prod = ec2.create_vpc(CidrBlock=PROD_CIDR, TagSpecifications=_tags(
        "vpc", Name="prod", Environment="production"))["Vpc"]["VpcId"]
    dev = ec2.create_vpc(CidrBlock=DEV_CIDR, TagSpecifications=_tags(
        "vpc", Name="dev", Environment="development"))["Vpc"]["VpcId"]
    ids.update(prod_vpc=prod, dev_vpc=dev)
    subnets = {}
    for zone, cidr in ZONES.items():
        subnets[zone] = ec2.create_subnet(VpcId=prod, CidrBlock=cidr, AvailabilityZone=f"{REGION}a",
                                          TagSpecifications=_tags("subnet", Name=f"prod-{zone}", Zone=zone,
                                                                  Environment="production"))["Subnet"]["SubnetId"]
        ids[f"{zone}_subnet"] = subnets[zone]
    ec2.modify_subnet_attribute(SubnetId=subnets["dmz"], MapPublicIpOnLaunch={"Value": True})
    dev_subnet = ec2.create_subnet(VpcId=dev, CidrBlock="10.1.16.0/20", AvailabilityZone=f"{REGION}a",
                                   TagSpecifications=_tags("subnet", Name="dev-app", Zone="internal",
                                                           Environment="development"))["Subnet"]["SubnetId"]
    ids["dev_subnet"] = dev_subnet

    igw = ec2.create_internet_gateway(TagSpecifications=_tags("internet-gateway", Name="prod-igw"))
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=prod)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets["dmz"], AllocationId=eip, TagSpecifications=_tags(
        "natgateway", Name="prod-nat"))["NatGateway"]["NatGatewayId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=prod, PeerVpcId=dev, TagSpecifications=_tags(
        "vpc-peering-connection", Name="prod-dev"))["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ids.update(igw=igw_id, nat=nat, peering=pcx)

    def table(vpc: str, name: str, subnet: str, *routes: dict[str, str]) -> str:
        rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tags("route-table", Name=name))
        rt_id = rt["RouteTable"]["RouteTableId"]
        for r in routes:
            ec2.create_route(RouteTableId=rt_id, **r)
        ec2.associate_route_table(RouteTableId=rt_id, SubnetId=subnet)
        return rt_id

    to_dev = {"DestinationCidrBlock": DEV_CIDR, "VpcPeeringConnectionId": pcx}
    ids["dmz_rt"] = table(prod, "prod-dmz", subnets["dmz"], {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id})
    # Planted: the app tier sits in a public subnet (straight to the internet gateway).
    ids["internal_rt"] = table(prod, "prod-internal", subnets["internal"],
                               {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id}, to_dev)
    # Planted: the data tier has a way out to the internet.
    ids["data_rt"] = table(prod, "prod-data", subnets["data"], {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat})
    ids["management_rt"] = table(prod, "prod-management", subnets["management"], to_dev)
    ids["dev_rt"] = table(dev, "dev-app", dev_subnet, {"DestinationCidrBlock": PROD_CIDR, "VpcPeeringConnectionId": pcx})

    def group(vpc: str, name: str, *ingress: dict[str, Any]) -> str:
        sg = ec2.create_security_group(VpcId=vpc, GroupName=name, Description=f"{name} tier",
                                       TagSpecifications=_tags("security-group", Name=name))["GroupId"]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=list(ingress))
        return sg

    def tcp(port: int, cidr: str | None = None, sg: str | None = None, note: str = "") -> dict[str, Any]:
        perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if cidr:
            perm["IpRanges"] = [{"CidrIp": cidr, "Description": note}]
        if sg:
            perm["UserIdGroupPairs"] = [{"GroupId": sg, "Description": note}]
        return perm

    web = group(prod, "web", tcp(443, "0.0.0.0/0", note="https from the internet"))
    # Planted: RDP open to the world on an app instance that has a public IP.
    app = group(prod, "app", tcp(8080, sg=web, note="from the web tier"),
                tcp(3389, "0.0.0.0/0", note="temporary remote desktop"))
    # Planted: the data tier trusts the app subnet's address range, not the app group.
    data = group(prod, "data", tcp(5432, ZONES["internal"], note="postgres from the app subnet"))
    # Planted: SSH into management from the app tier.
    mgmt = group(prod, "management", tcp(22, sg=app, note="ssh from app servers"))
    dev_sg = group(dev, "dev-app", tcp(22, "10.0.0.0/8", note="ssh from anywhere internal"))
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [prod]},
                                                       {"Name": "group-name", "Values": ["default"]}])
    default_sg = default_sg["SecurityGroups"][0]["GroupId"]
    # Planted: the default group is in use and admits traffic beyond itself.
    ec2.authorize_security_group_ingress(GroupId=default_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": PROD_CIDR}]}])
    ids.update(web_sg=web, app_sg=app, data_sg=data, management_sg=mgmt, dev_sg=dev_sg, default_sg=default_sg)

    def instance(name: str, subnet: str, groups: list[str], zone: str, env: str = "production") -> str:
        got = ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
                                SecurityGroupIds=groups, TagSpecifications=_tags(
                                    "instance", Name=name, Zone=zone, Environment=env))
        return got["Instances"][0]["InstanceId"]

    ids["web_instance"] = instance("web-1", subnets["dmz"], [web], "dmz")
    ids["app_instance"] = instance("app-1", subnets["internal"], [app], "internal")
    app_eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=app_eip["AllocationId"], InstanceId=ids["app_instance"])
    ids["app_public_ip"] = app_eip["PublicIp"]
    ids["db_instance"] = instance("db-1", subnets["data"], [data], "data")
    ids["bastion_instance"] = instance("bastion-1", subnets["management"], [mgmt], "management")
    ids["legacy_instance"] = instance("legacy-1", subnets["internal"], [default_sg], "internal")
    ids["dev_instance"] = instance("dev-1", dev_subnet, [dev_sg], "internal", env="development")
    return ids


def demo_snapshot(progress: Progress = QUIET, planted: dict[str, str] | None = None) -> Snapshot:
    """The demo estate as the real AWS collector reads it (one region, moto's account)."""
    with mocked():
        import boto3

        from providers.aws.collector import collect_snapshot

        ids = build_estate(boto3.client("ec2", region_name=REGION))
        if planted is not None:
            planted.update(ids)
        return collect_snapshot(progress, max_workers=4, regions=(REGION,))
