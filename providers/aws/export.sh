#!/bin/sh
# Export one region's network configuration for an offline segaudit audit:
#   providers/aws/export.sh REGION DIR      (then: segaudit scan aws --from-dir DIR)
# Writes DIR/REGION/<Name>.json, one file per API call in the AWS CLI's JSON shape, with
# read-only calls only (the actions of providers/aws/iam-policy.json). VPN tunnel
# configurations (pre-shared keys) are not exported.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 REGION DIR" >&2; exit 2; }
region=$1
out="$2/$1"
mkdir -p "$out"
ec2() { aws ec2 --region "$region" --output json "$@"; }

for pair in \
  describe-vpcs:Vpcs describe-subnets:Subnets describe-route-tables:RouteTables \
  describe-internet-gateways:InternetGateways \
  describe-egress-only-internet-gateways:EgressOnlyInternetGateways \
  describe-nat-gateways:NatGateways describe-vpc-endpoints:VpcEndpoints \
  describe-vpc-peering-connections:VpcPeeringConnections \
  describe-transit-gateway-attachments:TransitGatewayAttachments \
  describe-transit-gateways:TransitGateways \
  describe-transit-gateway-route-tables:TransitGatewayRouteTables \
  describe-transit-gateway-vpc-attachments:TransitGatewayVpcAttachments \
  describe-transit-gateway-peering-attachments:TransitGatewayPeeringAttachments \
  describe-vpn-gateways:VpnGateways describe-customer-gateways:CustomerGateways \
  describe-managed-prefix-lists:PrefixLists describe-security-groups:SecurityGroups \
  describe-security-group-rules:SecurityGroupRules describe-network-acls:NetworkAcls \
  describe-network-interfaces:NetworkInterfaces describe-instances:Reservations \
  describe-flow-logs:FlowLogs
do
  ec2 "${pair%%:*}" > "$out/${pair#*:}.json"
done

# Routes and static-route flags of each connection; never its tunnel options or configuration.
ec2 describe-vpn-connections --query '{VpnConnections: VpnConnections[].{VpnConnectionId: VpnConnectionId,
  State: State, Type: Type, CustomerGatewayId: CustomerGatewayId, VpnGatewayId: VpnGatewayId,
  TransitGatewayId: TransitGatewayId, Options: {StaticRoutesOnly: Options.StaticRoutesOnly},
  Routes: Routes, Tags: Tags}}' > "$out/VpnConnections.json"

# One record per item: {"<IdKey>": "<id>", ...the call's own answer...}
per_item() {  # per_item FILE KEY IDKEY ID-LIST -- COMMAND...
  file=$1 key=$2 idkey=$3 ids=$4; shift 5
  printf '{"%s": [' "$key" > "$file"
  sep=""
  for id in $ids; do
    printf '%s{"%s": "%s",' "$sep" "$idkey" "$id" >> "$file"
    "$@" "$id" | sed '1s/^{//' >> "$file"
    sep=","
  done
  printf ']}\n' >> "$file"
}

lists=$(ec2 describe-managed-prefix-lists --query 'PrefixLists[].PrefixListId' --output text)
per_item "$out/PrefixListEntries.json" PrefixListEntries PrefixListId "$lists" -- \
  ec2 get-managed-prefix-list-entries --prefix-list-id

tables=$(ec2 describe-transit-gateway-route-tables \
  --query 'TransitGatewayRouteTables[].TransitGatewayRouteTableId' --output text)
per_item "$out/TransitGatewayPropagations.json" TransitGatewayPropagations TransitGatewayRouteTableId "$tables" -- \
  ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id
for kind in static propagated; do
  name=TransitGatewayStaticRoutes
  [ "$kind" = propagated ] && name=TransitGatewayPropagatedRoutes
  per_item "$out/$name.json" "$name" TransitGatewayRouteTableId "$tables" -- \
    ec2 search-transit-gateway-routes --filters "Name=type,Values=$kind" --transit-gateway-route-table-id
done
elb() { aws elbv2 --region "$region" --output json "$@"; }
elb describe-load-balancers > "$out/LoadBalancers.json"
elb describe-target-groups > "$out/TargetGroups.json"
balancers=$(elb describe-load-balancers --query 'LoadBalancers[].LoadBalancerArn' --output text)
printf '{"Listeners": [' > "$out/Listeners.json"
sep=""
for arn in $balancers; do  # each answer's list, concatenated into one
  body=$(elb describe-listeners --load-balancer-arn "$arn" --query 'Listeners' | sed '1s/^\[//;$s/\]$//')
  if [ -n "$(printf '%s' "$body" | tr -d ' \n')" ]; then printf '%s%s' "$sep" "$body" >> "$out/Listeners.json"; sep=","; fi
done
printf ']}\n' >> "$out/Listeners.json"
groups=$(elb describe-target-groups --query 'TargetGroups[?length(LoadBalancerArns) > `0`].TargetGroupArn' --output text)
per_item "$out/TargetHealth.json" TargetHealth TargetGroupArn "$groups" -- elb describe-target-health --target-group-arn
# Network Firewall: each answer whole, one list per call.
nfw() { aws network-firewall --region "$region" --output json "$@"; }
objects() {  # objects FILE KEY ID-LIST -- COMMAND...
  file=$1 key=$2 ids=$3; shift 4
  printf '{"%s": [' "$key" > "$file"
  sep=""
  for id in $ids; do printf '%s' "$sep" >> "$file"; "$@" "$id" >> "$file"; sep=","; done
  printf ']}\n' >> "$file"
}
nfw list-firewalls > "$out/Firewalls.json"
firewalls=$(nfw list-firewalls --query 'Firewalls[].FirewallArn' --output text)
objects "$out/FirewallDetails.json" FirewallDetails "$firewalls" -- nfw describe-firewall --firewall-arn
policies=$(for arn in $firewalls; do
  nfw describe-firewall --firewall-arn "$arn" --query 'Firewall.FirewallPolicyArn' --output text; done | sort -u)
objects "$out/FirewallPolicies.json" FirewallPolicies "$policies" -- nfw describe-firewall-policy --firewall-policy-arn
groups=$(for arn in $policies; do nfw describe-firewall-policy --firewall-policy-arn "$arn" --output text \
  --query 'FirewallPolicy.[StatelessRuleGroupReferences[].ResourceArn, StatefulRuleGroupReferences[].ResourceArn][]'
  done | tr '\t' '\n' | sort -u)
objects "$out/RuleGroups.json" RuleGroups "$groups" -- nfw describe-rule-group --rule-group-arn
# Direct Connect gateways are global: the same account-wide answer in every region's folder.
dx() { aws directconnect --region "$region" --output json "$@"; }
dx describe-direct-connect-gateways > "$out/DirectConnectGateways.json"
dxgws=$(dx describe-direct-connect-gateways --query 'directConnectGateways[].directConnectGatewayId' --output text)
per_item "$out/DirectConnectGatewayAssociations.json" DirectConnectGatewayAssociations directConnectGatewayId \
  "$dxgws" -- dx describe-direct-connect-gateway-associations --direct-connect-gateway-id
per_item "$out/DirectConnectGatewayAttachments.json" DirectConnectGatewayAttachments directConnectGatewayId \
  "$dxgws" -- dx describe-direct-connect-gateway-attachments --direct-connect-gateway-id
echo "wrote $out" >&2
