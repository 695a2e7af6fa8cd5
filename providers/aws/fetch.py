"""The AWS SDK side of the collector: sessions, accounts, regions and one paginated sweep
per resource type per region.

Only Describe*/List*/Get* calls (EC2, Elastic Load Balancing, Network Firewall, Direct
Connect) plus sts:GetCallerIdentity and sts:AssumeRole are made (tests record every
operation and hold them against iam-policy.json). Retries are botocore's own (adaptive
mode); a scope that cannot be read becomes a CollectionError.
"""
from __future__ import annotations

import threading
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError, ClientError, ConnectionError as BotoConnectionError, NoCredentialsError,
    NoRegionError, PartialCredentialsError, ProfileNotFound,
)

from scanner.errors import InputError
from scanner.model import CollectionError
from scanner.pool import bounded_pool

HOME_REGION = "us-east-1"  # where STS and DescribeRegions are asked when no region is configured

# One sweep per resource type per region, in this order. (operation, result key)
SWEEPS: tuple[tuple[str, str], ...] = (
    ("describe_vpcs", "Vpcs"),
    ("describe_subnets", "Subnets"),
    ("describe_route_tables", "RouteTables"),
    ("describe_internet_gateways", "InternetGateways"),
    ("describe_egress_only_internet_gateways", "EgressOnlyInternetGateways"),
    ("describe_nat_gateways", "NatGateways"),
    ("describe_vpc_endpoints", "VpcEndpoints"),
    ("describe_vpc_peering_connections", "VpcPeeringConnections"),
    ("describe_transit_gateway_attachments", "TransitGatewayAttachments"),
    ("describe_transit_gateways", "TransitGateways"),
    ("describe_transit_gateway_route_tables", "TransitGatewayRouteTables"),
    ("describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"),
    ("describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments"),
    ("describe_vpn_gateways", "VpnGateways"),  # not paginated: one call each
    ("describe_customer_gateways", "CustomerGateways"),
    ("describe_vpn_connections", "VpnConnections"),
    ("describe_managed_prefix_lists", "PrefixLists"),
    ("describe_security_groups", "SecurityGroups"),
    ("describe_security_group_rules", "SecurityGroupRules"),
    ("describe_network_acls", "NetworkAcls"),
    ("describe_network_interfaces", "NetworkInterfaces"),
    ("describe_instances", "Reservations"),
    ("describe_flow_logs", "FlowLogs"),
)
ENTRIES = ("get_managed_prefix_list_entries", "Entries")
# Per transit gateway route table (its associations come with DescribeTransitGatewayAttachments).
PROPAGATIONS = ("get_transit_gateway_route_table_propagations", "TransitGatewayRouteTablePropagations",
                "TransitGatewayPropagations")
ROUTE_SEARCHES = (("static", "TransitGatewayStaticRoutes"), ("propagated", "TransitGatewayPropagatedRoutes"))
SEARCH = "search_transit_gateway_routes"
# Elastic Load Balancing (v2): two sweeps per region, then listeners per load balancer and
# target health per target group in use.
ELB_SERVICE = "elbv2"
ELB_SWEEPS = (("describe_load_balancers", "LoadBalancers"), ("describe_target_groups", "TargetGroups"))
LISTENERS = ("describe_listeners", "Listeners")
TARGET_HEALTH = ("describe_target_health", "TargetHealthDescriptions", "TargetHealth")
# AWS Network Firewall: one sweep per region, then one call per firewall (its endpoints),
# per firewall policy and per rule group the policies use. (operation, raw key)
NFW_SERVICE = "network-firewall"
NFW_LIST = ("list_firewalls", "Firewalls")
NFW_CALLS = (("describe_firewall", "FirewallDetails"), ("describe_firewall_policy", "FirewallPolicies"),
             ("describe_rule_group", "RuleGroups"))
SEARCH_MAX = 1000  # the API's largest MaxResults
# AWS Direct Connect gateways are global: read once per account, in the first region
# scanned; then per gateway its associations (with their allowed prefixes) and its
# attached virtual interfaces. (operation, result key, raw key)
DX_SERVICE = "directconnect"
DX_LIST = ("describe_direct_connect_gateways", "directConnectGateways", "DirectConnectGateways")
DX_PER_GATEWAY = (("describe_direct_connect_gateway_associations", "directConnectGatewayAssociations",
                   "DirectConnectGatewayAssociations"),
                  ("describe_direct_connect_gateway_attachments", "directConnectGatewayAttachments",
                   "DirectConnectGatewayAttachments"))
# "If MaxResults is given a value larger than 100, only 100 results are returned" (the
# model states no maximum)
PAGE_MAX = {DX_LIST[0]: 100, **{op: 100 for op, _key, _raw in DX_PER_GATEWAY}}


def _search_routes(client: Any, table_id: str, kind: str, stop: threading.Event) -> dict[str, Any]:
    """Every route of one type. The API pages by NextToken today; older answers only set
    AdditionalRoutesAvailable, which stays in the record (the normalizer makes it a gap)."""
    params: dict[str, Any] = dict(TransitGatewayRouteTableId=table_id, MaxResults=SEARCH_MAX,
                                  Filters=[{"Name": "type", "Values": [kind]}])
    routes: list[dict[str, Any]] = []
    while True:
        page = client.search_transit_gateway_routes(**params)
        routes += page.get("Routes", ())
        if not page.get("NextToken"):
            return {"Routes": routes, "AdditionalRoutesAvailable": bool(page.get("AdditionalRoutesAvailable"))}
        if stop.is_set():
            raise Stopped()
        params["NextToken"] = page["NextToken"]
FALLBACK_PAGE_SIZE = 1000  # operations whose model gives MaxResults no maximum

# A whole region (or account) is unusable: stop there instead of failing every sweep.
SCOPE_CODES = {
    "OptInRequired", "AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId",
    "ExpiredToken", "RequestExpired", "SignatureDoesNotMatch",
}


class Stopped(Exception):
    """Collection was cancelled (Ctrl-C): workers leave between pages."""


@dataclass(frozen=True)
class Target:
    """One account to read, and how to get its credentials."""

    label: str  # what the user gave: "default", a profile or a role ARN
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None


@dataclass
class Credentials:
    account: str
    keys: dict[str, str] = field(default_factory=dict, repr=False)  # assumed-role keys; never printed
    profile: str | None = None
    region: str | None = None


@dataclass
class RegionData:
    account: str
    region: str
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # prefix list id -> entries
    errors: list[CollectionError] = field(default_factory=list)


_loader_lock = threading.Lock()
_loader: Any = None


def _shared_loader() -> Any:
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.session.get_session().get_component("data_loader")
        return _loader


def new_session(**kwargs: Any) -> boto3.Session:
    """Every session the collector uses comes from here (tests hook the event system).

    One session per thread, as boto3 asks, but all share one data loader: a fresh loader
    parses the EC2 service model again, about half a second per region.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    return boto3.Session(botocore_session=core, **kwargs)


def client_config(max_attempts: int) -> Config:
    return Config(retries={"mode": "adaptive", "total_max_attempts": max_attempts},
                  user_agent_extra="segaudit")


def error_from(exc: BaseException, account: str, region: str, operation: str, service: str = "ec2") -> CollectionError:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code, message = err.get("Code", "ClientError"), err.get("Message", "") or str(exc)
    else:
        code, message = type(exc).__name__, str(exc)
    # The API's own name (DescribeVpcs): it is also the IAM action a denied user must ask for.
    api_name = "".join(word.capitalize() for word in operation.split("_"))
    return CollectionError(provider="aws", account=account, region=region, service=service,
                           operation=api_name, code=code, message=message)


def _is_scope_wide(exc: BaseException) -> bool:
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in SCOPE_CODES
    return isinstance(exc, (BotoConnectionError, BotoCoreError))


def page_size(client: Any, operation: str) -> int:
    if operation in PAGE_MAX:
        return PAGE_MAX[operation]
    op_model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[operation])
    members = op_model.input_shape.members
    shape = members.get("MaxResults") or members.get("PageSize")  # elbv2 calls its limit PageSize
    return int(shape.metadata.get("max", FALLBACK_PAGE_SIZE)) if shape is not None else FALLBACK_PAGE_SIZE


def sweep(client: Any, operation: str, key: str, stop: threading.Event | None = None,
          **params: Any) -> list[dict[str, Any]]:
    """Every item of one paginated Describe call, at the largest page size the API takes
    (one call for the few that do not page, VPN gateways and connections)."""
    if not client.can_paginate(operation):
        items = list(getattr(client, operation)(**params).get(key, ()))
        if stop is not None and stop.is_set():
            raise Stopped()
        return items
    paginator = client.get_paginator(operation)
    items: list[dict[str, Any]] = []
    pages = paginator.paginate(**params, PaginationConfig={"PageSize": page_size(client, operation)})
    for page in pages:
        items.extend(page.get(key, ()))
        if stop is not None and stop.is_set():
            raise Stopped()
    return items


def _referenced_prefix_lists(raw: dict[str, list[dict[str, Any]]], account: str) -> list[str]:
    """Prefix lists whose entries matter: the account's own and those rules or routes use."""
    wanted = {pl["PrefixListId"] for pl in raw.get("PrefixLists", ()) if pl.get("OwnerId") == account}
    wanted.update(r["PrefixListId"] for r in raw.get("SecurityGroupRules", ()) if r.get("PrefixListId"))
    for table in raw.get("RouteTables", ()):
        wanted.update(r["DestinationPrefixListId"] for r in table.get("Routes", ()) if r.get("DestinationPrefixListId"))
    known = {pl["PrefixListId"] for pl in raw.get("PrefixLists", ())}
    return sorted(wanted & known)


def collect_region(creds: Credentials, region: str, max_attempts: int, stop: threading.Event) -> RegionData:
    data = RegionData(account=creds.account, region=region)
    if stop.is_set():
        raise Stopped()
    session = _session_for(creds, region)  # one session per thread: boto3 sessions are not thread-safe
    client = session.client("ec2", region_name=region, config=client_config(max_attempts))
    for operation, key in SWEEPS:
        try:
            data.raw[key] = sweep(client, operation, key, stop)
        except Stopped:
            raise
        except (ClientError, BotoCoreError) as exc:
            data.errors.append(error_from(exc, creds.account, region, operation))
            if _is_scope_wide(exc):
                return data
    for pl_id in _referenced_prefix_lists(data.raw, creds.account):
        try:
            data.entries[pl_id] = sweep(client, ENTRIES[0], ENTRIES[1], stop, PrefixListId=pl_id)
        except Stopped:
            raise
        except (ClientError, BotoCoreError) as exc:
            data.errors.append(error_from(exc, creds.account, region, ENTRIES[0]))
            if _is_scope_wide(exc):
                return data
    for table in data.raw.get("TransitGatewayRouteTables", ()):
        if not _hub_table(client, table["TransitGatewayRouteTableId"], data, stop):
            return data
    _load_balancers(session.client(ELB_SERVICE, region_name=region, config=client_config(max_attempts)), data, stop)
    firewalls(session.client(NFW_SERVICE, region_name=region, config=client_config(max_attempts)), data, stop)
    return data


def direct_connect(creds: Credentials, region: str, max_attempts: int, stop: threading.Event) -> RegionData:
    """The account's Direct Connect gateways, their associations and attachments (raw keys
    of providers/aws/directconnect.py). Denied or not enabled: a gap, nothing recorded."""
    data = RegionData(account=creds.account, region=region)
    if stop.is_set():
        raise Stopped()
    client = _session_for(creds, region).client(DX_SERVICE, region_name=region, config=client_config(max_attempts))
    try:
        gateways = sweep(client, DX_LIST[0], DX_LIST[1], stop)
    except (ClientError, BotoCoreError) as exc:
        data.errors.append(error_from(exc, creds.account, region, DX_LIST[0], service=DX_SERVICE))
        return data
    data.raw[DX_LIST[2]] = gateways
    for operation, key, raw_key in DX_PER_GATEWAY:
        records = data.raw.setdefault(raw_key, [])
        for gw in gateways:
            gw_id = gw["directConnectGatewayId"]
            try:
                found = sweep(client, operation, key, stop, directConnectGatewayId=gw_id)
            except (ClientError, BotoCoreError) as exc:
                # one gap per call: the gateways not read stay unknown (nothing restricted)
                data.errors.append(error_from(exc, creds.account, region, operation, service=DX_SERVICE))
                break
            records.append({"directConnectGatewayId": gw_id, key: found})
    return data


def firewalls(client: Any, data: RegionData, stop: threading.Event) -> None:
    """Network firewalls with their endpoints, their policies and the policies' rule groups."""
    def call(operation: str, fn: Callable[[], Any]) -> Any:
        try:
            found = fn()
        except (ClientError, BotoCoreError) as exc:
            data.errors.append(error_from(exc, data.account, data.region, operation, service=NFW_SERVICE))
            return None
        if stop.is_set():
            raise Stopped()
        if isinstance(found, dict):
            found.pop("ResponseMetadata", None)
        return found

    listed = call(NFW_LIST[0], lambda: sweep(client, NFW_LIST[0], NFW_LIST[1], stop))
    if listed is None:
        return
    data.raw[NFW_LIST[1]] = listed
    (describe, details), (describe_policy, policies), (describe_group, groups) = NFW_CALLS
    data.raw[details] = [d for d in (call(describe, lambda: client.describe_firewall(FirewallArn=f["FirewallArn"]))
                                     for f in listed) if d]
    policy_arns = dict.fromkeys(d.get("Firewall", {}).get("FirewallPolicyArn", "") for d in data.raw[details])
    data.raw[policies] = [p for p in (call(describe_policy, lambda: client.describe_firewall_policy(FirewallPolicyArn=a))
                                      for a in policy_arns if a) if p]
    group_arns = dict.fromkeys(ref["ResourceArn"] for p in data.raw[policies] for key in (
        "StatelessRuleGroupReferences", "StatefulRuleGroupReferences") for ref in p.get("FirewallPolicy", {}).get(key, ()))
    data.raw[groups] = [g for g in (call(describe_group, lambda: client.describe_rule_group(RuleGroupArn=a))
                                    for a in group_arns) if g]


def _load_balancers(client: Any, data: RegionData, stop: threading.Event) -> None:
    """Load balancers, their listeners, target groups and registered targets."""
    def call(operation: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Stopped:
            raise
        except (ClientError, BotoCoreError) as exc:
            data.errors.append(error_from(exc, data.account, data.region, operation, service="elasticloadbalancing"))
            return None

    for operation, key in ELB_SWEEPS:
        found = call(operation, lambda: sweep(client, operation, key, stop))
        if found is None:
            return  # without load balancers or their groups nothing below can be read
        data.raw[key] = found
    data.raw[LISTENERS[1]] = []
    for lb in data.raw["LoadBalancers"]:
        found = call(LISTENERS[0], lambda: sweep(client, LISTENERS[0], LISTENERS[1], stop,
                                                 LoadBalancerArn=lb["LoadBalancerArn"]))
        data.raw[LISTENERS[1]] += found or []
    data.raw[TARGET_HEALTH[2]] = []
    for tg in data.raw["TargetGroups"]:
        if not tg.get("LoadBalancerArns"):
            continue  # a group no load balancer uses forwards nothing
        found = call(TARGET_HEALTH[0], lambda: client.describe_target_health(TargetGroupArn=tg["TargetGroupArn"]))
        if found is not None:
            data.raw[TARGET_HEALTH[2]].append({"TargetGroupArn": tg["TargetGroupArn"],
                                               TARGET_HEALTH[1]: found.get(TARGET_HEALTH[1], [])})


def _hub_table(client: Any, table_id: str, data: RegionData, stop: threading.Event) -> bool:
    """A transit gateway route table's propagations and routes, stored in the shape of the
    export files (one record per table); False when the whole region became unusable."""
    calls: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        (PROPAGATIONS[0], PROPAGATIONS[2], lambda: {PROPAGATIONS[1]: sweep(
            client, PROPAGATIONS[0], PROPAGATIONS[1], stop, TransitGatewayRouteTableId=table_id)})]
    for kind, key in ROUTE_SEARCHES:
        calls.append((SEARCH, key, lambda kind=kind: _search_routes(client, table_id, kind, stop)))
    for operation, key, call in calls:
        if stop.is_set():
            raise Stopped()
        try:
            found = call()
        except (ClientError, BotoCoreError) as exc:
            data.errors.append(error_from(exc, data.account, data.region, operation))
            if _is_scope_wide(exc):
                return False
            continue
        data.raw.setdefault(key, []).append({"TransitGatewayRouteTableId": table_id, **found})
    return True


def _session_for(creds: Credentials, region: str | None = None) -> boto3.Session:
    if creds.keys:
        return new_session(region_name=region, **creds.keys)
    return new_session(profile_name=creds.profile, region_name=region)


def resolve_account(target: Target, max_attempts: int) -> Credentials | CollectionError:
    """Who we are in one account (STS), assuming the role first when one is given."""
    config = client_config(max_attempts)
    try:
        session = new_session(profile_name=target.profile)
        region = session.region_name or HOME_REGION
        sts = session.client("sts", region_name=region, config=config)
        if target.role_arn is None:
            ident = sts.get_caller_identity()
            return Credentials(account=ident["Account"], profile=target.profile, region=session.region_name)
        params = {"RoleArn": target.role_arn, "RoleSessionName": "segaudit"}
        if target.external_id:
            params["ExternalId"] = target.external_id
        got = sts.assume_role(**params)["Credentials"]
        keys = {"aws_access_key_id": got["AccessKeyId"], "aws_secret_access_key": got["SecretAccessKey"],
                "aws_session_token": got["SessionToken"]}
        ident = new_session(region_name=region, **keys).client("sts", config=config).get_caller_identity()
        return Credentials(account=ident["Account"], keys=keys, region=session.region_name)
    except (NoCredentialsError, PartialCredentialsError):
        raise InputError("no AWS credentials found (set a profile with --profile, environment "
                         "variables, or an instance role)") from None
    except NoRegionError:
        raise InputError("no AWS region configured for STS") from None
    except ProfileNotFound:
        raise InputError(f"AWS profile {target.profile!r} not found in the AWS config files") from None
    except (ClientError, BotoCoreError) as exc:
        if target.role_arn is None:
            code = exc.response["Error"].get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
            raise InputError(f"AWS credentials{' of profile ' + target.profile if target.profile else ''} "
                             f"could not be verified with STS ({code})") from None
        account = target.role_arn.split(":")[4] if target.role_arn.count(":") >= 5 else ""
        return error_from(exc, account, "", "assume_role", service="sts")


def enabled_regions(creds: Credentials, max_attempts: int) -> list[str]:
    session = _session_for(creds, creds.region or HOME_REGION)
    client = session.client("ec2", config=client_config(max_attempts))
    return sorted(r["RegionName"] for r in client.describe_regions()["Regions"])


def targets_from(profile: str | None, role_arns: Iterable[str], external_id: str | None,
                 role_name: str | None, accounts_file: str | None) -> list[Target]:
    roles = list(role_arns)
    if role_name and not accounts_file:
        raise InputError("--role-name needs --accounts FILE (one account id per line)")
    if accounts_file and not role_name:
        raise InputError("--accounts needs --role-name (the role to assume in each account)")
    if accounts_file:
        for account in _read_accounts(accounts_file):
            roles.append(f"arn:aws:iam::{account}:role/{role_name}")
    if not roles:
        return [Target(label=profile or "default", profile=profile)]
    for arn in roles:
        if not arn.startswith("arn:") or arn.count(":") < 5:
            raise InputError(f"--role-arn {arn!r} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    return [Target(label=arn, profile=profile, role_arn=arn, external_id=external_id)
            for arn in dict.fromkeys(roles)]


def _read_accounts(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [line.split("#", 1)[0].strip() for line in fh]
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    accounts = [line for line in lines if line]
    bad = [a for a in accounts if not (a.isdigit() and len(a) == 12)]
    if bad:
        raise InputError(f"{path}: {bad[0]!r} is not a 12-digit AWS account id")
    if not accounts:
        raise InputError(f"{path}: no account ids in the file")
    return accounts


def run_pool(jobs: list[Callable[[], Any]], max_workers: int, stop: threading.Event,
             done: Callable[[Any], None]) -> None:
    """Run jobs on a bounded pool; on Ctrl-C stop the workers between pages and cancel the rest."""
    try:
        with bounded_pool(max_workers, "aws") as pool:
            futures = [pool.submit(job) for job in jobs]
            for future in as_completed(futures):
                done(future.result())
    except BaseException:
        stop.set()  # running sweeps stop between pages
        raise
