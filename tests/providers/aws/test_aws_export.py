"""providers/aws/export.sh against a stand-in `aws` command: it writes exactly the layout
`--from-dir` reads, one file per call, and never the VPN tunnel configuration."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from providers.aws import fetch
from providers.aws.offline import snapshot_from_dir

SCRIPT = Path(fetch.__file__).with_name("export.sh")

FAKE_AWS = r'''#!PYTHON
import json, sys
args = sys.argv[1:]
assert args[0] in ("ec2", "elbv2", "network-firewall", "directconnect") and args[1] == "--region" and args[3:5] == ["--output", "json"], args
call = args[5]
with open(LOG, "a") as fh:
    fh.write(" ".join(args[5:]) + "\n")
text = "--output" in args[6:] and args[args.index("--output", 6) + 1] == "text"
if text:
    print({"describe-transit-gateway-route-tables": "tgw-rtb-1", "describe-managed-prefix-lists": "pl-1",
           "describe-load-balancers": "arn:lb/net/nlb/1", "describe-target-groups": "arn:tg/1",
           "list-firewalls": "arn:fw/1", "describe-firewall": "arn:fwp/1",
           "describe-firewall-policy": "arn:rg/1\tarn:rg/2", "describe-direct-connect-gateways": "dxgw-1"}[call])
    sys.exit(0)
if call == "describe-listeners":
    print(json.dumps([{"ListenerArn": "arn:li/1", "LoadBalancerArn": "arn:lb/net/nlb/1", "Protocol": "TCP",
                       "Port": 443}], indent=4))
    sys.exit(0)
answers = {
    "describe-vpcs": {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "123456789012"}]},
    "describe-transit-gateway-route-tables": {"TransitGatewayRouteTables": [
        {"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available"}]},
    "describe-managed-prefix-lists": {"PrefixLists": [{"PrefixListId": "pl-1", "OwnerId": "123456789012"}]},
    "get-managed-prefix-list-entries": {"Entries": [{"Cidr": "198.51.100.0/24"}]},
    "get-transit-gateway-route-table-propagations": {"TransitGatewayRouteTablePropagations": []},
    "search-transit-gateway-routes": {"Routes": [], "AdditionalRoutesAvailable": False},
    "describe-target-health": {"TargetHealthDescriptions": [{"Target": {"Id": "10.0.1.5", "Port": 8443}}]},
    "list-firewalls": {"Firewalls": [{"FirewallArn": "arn:fw/1", "FirewallName": "fw"}]},
    "describe-firewall": {"Firewall": {"FirewallArn": "arn:fw/1", "FirewallPolicyArn": "arn:fwp/1", "VpcId": "vpc-1"},
                          "FirewallStatus": {"SyncStates": {"eu-west-1a": {"Attachment": {
                              "SubnetId": "subnet-fw", "EndpointId": "vpce-fw1"}}}}},
    "describe-firewall-policy": {"FirewallPolicyResponse": {"FirewallPolicyArn": "arn:fwp/1", "FirewallPolicyName": "p"},
                                 "FirewallPolicy": {"StatelessDefaultActions": ["aws:forward_to_sfe"]}},
    "describe-rule-group": {"RuleGroupResponse": {"RuleGroupArn": "arn:rg/1"}, "RuleGroup": {"RulesSource": {}}},
    "describe-vpn-connections": {"VpnConnections": [{"VpnConnectionId": "vpn-1", "Options": {"StaticRoutesOnly": True}}]},
    "describe-direct-connect-gateways": {"directConnectGateways": [{"directConnectGatewayId": "dxgw-1",
                                                                    "directConnectGatewayState": "available"}]},
    "describe-direct-connect-gateway-associations": {"directConnectGatewayAssociations": [
        {"directConnectGatewayId": "dxgw-1", "associationState": "associated",
         "associatedGateway": {"id": "tgw-1", "type": "transitGateway"},
         "allowedPrefixesToDirectConnectGateway": [{"cidr": "10.0.0.0/16"}]}]},
    "describe-direct-connect-gateway-attachments": {"directConnectGatewayAttachments": []},
}
key = "".join(w.capitalize() for w in call.split("-")[1:])
key = {"Instances": "Reservations", "ManagedPrefixLists": "PrefixLists"}.get(key, key)
print(json.dumps(answers.get(call, {key: []}), indent=4))
'''


def test_export_writes_the_from_dir_layout(tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.replace("PYTHON", sys.executable).replace("LOG", repr(str(log))))
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(["sh", str(SCRIPT), "eu-west-1", str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "eu-west-1"
    names = {p.stem for p in folder.glob("*.json")}
    assert names == {key for _op, key in fetch.SWEEPS} | {
        "PrefixListEntries", "TransitGatewayPropagations", "TransitGatewayStaticRoutes", "TransitGatewayPropagatedRoutes",
        "LoadBalancers", "TargetGroups", "Listeners", "TargetHealth",
        "Firewalls", "FirewallDetails", "FirewallPolicies", "RuleGroups",
        "DirectConnectGateways", "DirectConnectGatewayAssociations", "DirectConnectGatewayAttachments"}
    for path in folder.glob("*.json"):
        json.loads(path.read_text())  # every file is JSON
    assert "--query" in next(line for line in log.read_text().splitlines() if line.startswith("describe-vpn-connections"))
    assert json.loads((folder / "TransitGatewayStaticRoutes.json").read_text()) == {"TransitGatewayStaticRoutes": [
        {"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": [], "AdditionalRoutesAvailable": False}]}
    assert json.loads((folder / "Listeners.json").read_text())["Listeners"][0]["Port"] == 443
    assert json.loads((folder / "TargetHealth.json").read_text()) == {"TargetHealth": [
        {"TargetGroupArn": "arn:tg/1", "TargetHealthDescriptions": [{"Target": {"Id": "10.0.1.5", "Port": 8443}}]}]}
    assert len(json.loads((folder / "RuleGroups.json").read_text())["RuleGroups"]) == 2
    assert json.loads((folder / "DirectConnectGatewayAttachments.json").read_text()) == {
        "DirectConnectGatewayAttachments": [{"directConnectGatewayId": "dxgw-1", "directConnectGatewayAttachments": []}]}
    snap = snapshot_from_dir(str(tmp_path / "out"))
    assert snap.complete, snap.errors
    assert [(p.id, p.cidrs) for p in snap.prefix_lists] == [("pl-1", ("198.51.100.0/24",))]
    assert [t.id for t in snap.hub_route_tables] == ["tgw-rtb-1"]
    assert [(g.id, g.kind, g.policy_ids) for g in snap.gateways] == [
        ("vpce-fw1", "appliance", ("arn:fwp/1/stateless", "arn:fwp/1/stateful"))]
