"""Interfaces AWS services own, from records in the EC2 / ELBv2 API shape, to reachability:
a NAT gateway takes no unsolicited connection, a Network Load Balancer only its listener's
port, and it opens connections to its registered targets."""
from __future__ import annotations

from providers.aws.normalize import region_snapshot
from scanner.context import AuditContext
from scanner.model import Account, Snapshot, merge

ACCOUNT, REGION = "111122223333", "eu-west-1"
LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/net/web-nlb/50dc6c495c0c9188"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/73e2d6bc24d8a067"


def raw(listeners=({"Protocol": "TCP", "Port": 443},)):
    everyone = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    return {
        "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": ACCOUNT}],
        "Subnets": [{"SubnetId": "subnet-pub", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "eu-west-1a"},
                    {"SubnetId": "subnet-app", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "eu-west-1a"}],
        "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
                         "Associations": [{"Main": True, "AssociationState": {"State": "associated"}}],
                         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}]}],
        "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
        "NatGateways": [{"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-pub", "State": "available",
                         "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-nat", "PrivateIp": "10.0.0.9",
                                                  "PublicIp": "198.51.100.9"}]}],
        # wide open on purpose: only the managed interfaces' own nature limits what they accept
        "SecurityGroups": [{"GroupId": "sg-open", "GroupName": "open", "VpcId": "vpc-1",
                            "IpPermissions": [everyone], "IpPermissionsEgress": [everyone]}],
        "NetworkAcls": [],
        "NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-nat", "VpcId": "vpc-1", "SubnetId": "subnet-pub", "InterfaceType": "nat_gateway",
             "PrivateIpAddress": "10.0.0.9", "Association": {"PublicIp": "198.51.100.9"}, "Groups": [],
             "Description": "Interface for NAT Gateway nat-1"},
            {"NetworkInterfaceId": "eni-nlb", "VpcId": "vpc-1", "SubnetId": "subnet-pub",
             "InterfaceType": "network_load_balancer", "PrivateIpAddress": "10.0.0.20",
             "Association": {"PublicIp": "198.51.100.20"}, "Groups": [],
             "Description": "ELB net/web-nlb/50dc6c495c0c9188"},
            {"NetworkInterfaceId": "eni-web", "VpcId": "vpc-1", "SubnetId": "subnet-app", "InterfaceType": "interface",
             "PrivateIpAddress": "10.0.1.10", "Groups": [{"GroupId": "sg-open"}],
             "Attachment": {"InstanceId": "i-web"}},
            {"NetworkInterfaceId": "eni-other", "VpcId": "vpc-1", "SubnetId": "subnet-app", "InterfaceType": "interface",
             "PrivateIpAddress": "10.0.1.11", "Groups": [{"GroupId": "sg-open"}],
             "Attachment": {"InstanceId": "i-other"}},
        ],
        "Reservations": [{"Instances": [{"InstanceId": "i-web", "PrivateIpAddress": "10.0.1.10"},
                                        {"InstanceId": "i-other", "PrivateIpAddress": "10.0.1.11"}]}],
        "LoadBalancers": [{"LoadBalancerArn": LB_ARN, "LoadBalancerName": "web-nlb", "Type": "network",
                           "Scheme": "internet-facing", "VpcId": "vpc-1"}],
        "Listeners": [{"ListenerArn": f"{LB_ARN}/listener/{n}", "LoadBalancerArn": LB_ARN, **li}
                      for n, li in enumerate(listeners)],
        "TargetGroups": [{"TargetGroupArn": TG_ARN, "TargetGroupName": "web", "Protocol": "TCP", "Port": 8443,
                          "HealthCheckPort": "traffic-port", "LoadBalancerArns": [LB_ARN], "TargetType": "instance"}],
        "TargetHealth": [{"TargetGroupArn": TG_ARN, "TargetHealthDescriptions": [
            {"Target": {"Id": "i-web", "Port": 8443}, "TargetHealth": {"State": "healthy"}}]}],
    }


def ctx_of(**kw):
    return AuditContext(merge([Snapshot(accounts=(Account(provider="aws", id=ACCOUNT),)),
                               region_snapshot(ACCOUNT, REGION, raw(**kw))]))


def reach(ctx, workload):
    return {zone: access.ports.describe() for zone, access in ctx.reach.inbound(workload).items()}


def test_nat_gateway_accepts_no_unsolicited_connection():
    ctx = ctx_of()
    assert reach(ctx, "eni-nat") == {}  # neither from the internet nor from the VPC


def test_nlb_with_one_listener_accepts_only_that_port():
    ctx = ctx_of()
    assert reach(ctx, "eni-nlb") == {"internet": ["tcp/443"], "dmz": ["tcp/443"]}  # dmz: subnets routed to the IGW
    flow = next(f for f in ctx.reach.flows_into("eni-nlb") if f.zone == "internet")
    assert any(c.policy_id == f"{LB_ARN}/listeners" and c.ports.describe() == ["tcp/443"] for c in flow.causes)


def test_the_nlb_opens_connections_to_its_registered_target_only():
    ctx = ctx_of()
    from_nlb = {w: [p for f in ctx.reach.flows_into(w) if "eni-nlb" in f.sources for p in f.ports.describe()]
                for w in ("eni-web", "eni-other")}
    assert from_nlb == {"eni-web": ["tcp/8443"], "eni-other": []}


def test_udp_and_tcp_listener():
    ctx = ctx_of(listeners=({"Protocol": "TCP_UDP", "Port": 53}, {"Protocol": "TLS", "Port": 8443}))
    assert reach(ctx, "eni-nlb")["internet"] == ["tcp/53", "tcp/8443", "udp/53"]
