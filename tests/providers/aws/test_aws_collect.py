"""The AWS collector against a moto estate in several regions (in-process, real botocore)."""
from __future__ import annotations

import json
import threading
import time
import types
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws

from botocore.awsrequest import AWSResponse

from aws_fakes import Body, Hooks, add_flow_log, build_estate, ec2_error, region_of
from providers.aws import fetch
from providers.aws.collector import collect_snapshot
from scanner import snapshot as snapshot_file
from scanner.errors import InputError

BUILT = ("us-east-1", "eu-west-1")
DENIED = "ap-southeast-2"
ACCOUNT = "123456789012"
POLICY = json.loads((Path(fetch.__file__).parent / "iam-policy.json").read_text())


@pytest.fixture(scope="module")
def estate():
    mock = mock_aws()
    mock.start()
    ids = {r: build_estate(boto3.client("ec2", region_name=r), r) for r in BUILT}
    ids["flow_log"] = add_flow_log(boto3.client("ec2", region_name="us-east-1"), ids["us-east-1"]["vpc"])
    yield ids
    mock.stop()


@pytest.fixture(scope="module")
def baseline(estate):
    return collect_snapshot(regions=BUILT)


@pytest.fixture
def hooks(monkeypatch):
    return Hooks().install(monkeypatch)


@pytest.fixture
def no_sleep(monkeypatch):
    """Skip botocore's backoff and adaptive rate-limit waits; the retry logic itself still runs."""
    import botocore.endpoint
    import botocore.retries.bucket

    start = time.time()
    fast = types.SimpleNamespace(sleep=lambda s: None, time=lambda: start + (time.time() - start) * 1e6)
    monkeypatch.setattr(botocore.endpoint, "time", fast)
    monkeypatch.setattr(botocore.retries.bucket, "time", fast)


def api(method: str) -> str:
    return boto3.client("ec2", region_name="us-east-1").meta.method_to_api_mapping[method]


def by_id(items):
    return {i.id: i for i in items}


def test_collects_every_resource_kind_in_every_region(estate, baseline):
    snap = baseline
    assert snap.complete and [a.id for a in snap.accounts] == [ACCOUNT]
    for region in BUILT:
        ids = estate[region]
        nets = by_id(snap.networks)
        vpc = nets[ids["vpc"]]
        assert vpc.region == region and vpc.tags["Environment"] == "production" and not vpc.is_default
        assert vpc.cidrs[0] == "10.20.0.0/16" and any(":" in c for c in vpc.cidrs)
        assert any(n.is_default for n in snap.networks if n.region == region)

        subnets = by_id(snap.subnets)
        public, private = subnets[ids["public"]], subnets[ids["private"]]
        assert public.assigns_public_ips and not private.assigns_public_ips
        assert public.route_table_ids == (ids["rt_public"],) and private.route_table_ids == (ids["rt_private"],)
        assert private.policy_ids == (ids["acl"],) and private.tags == {"Zone": "data"}
        peer_subnets = [s for s in snap.subnets if s.network_id == ids["peer_vpc"]]
        assert not peer_subnets  # none made; the main table applies to subnets without an association

        tables = by_id(snap.route_tables)
        kinds = {(r.destination or r.destination_prefix_list, r.target_kind, r.target_id)
                 for r in tables[ids["rt_private"]].routes}
        assert ("0.0.0.0/0", "nat", ids["nat"]) in kinds
        assert ("10.30.0.0/16", "peering", ids["pcx"]) in kinds
        assert ("192.168.0.0/16", "transit", ids["tgw"]) in kinds
        assert ("10.20.0.0/16", "local", "local") in kinds
        assert any(k[1] == "endpoint" and k[2] == ids["s3_endpoint"] and k[0].startswith("pl-") for k in kinds)
        public_kinds = {(r.destination, r.target_kind) for r in tables[ids["rt_public"]].routes}
        assert {("0.0.0.0/0", "internet"), ("::/0", "egress-only")} <= public_kinds
        assert sum(t.is_main for t in snap.route_tables if t.network_id == ids["vpc"]) == 1

        gateways = by_id(snap.gateways)
        assert gateways[ids["igw"]].kind == "internet" and gateways[ids["igw"]].requires_public_address
        nat = gateways[ids["nat"]]
        assert (nat.kind, nat.subnet_id, nat.public, nat.network_id) == ("nat", ids["public"], True, ids["vpc"])
        assert gateways[ids["eigw"]].kind == "egress-only"
        assert gateways[ids["s3_endpoint"]].service == f"com.amazonaws.{region}.s3"
        assert gateways[ids["tgw_attachment"]].service == ids["tgw"]

        sides = {p.network_id: p for p in snap.peerings if p.name == ids["pcx"]}
        assert set(sides) == {ids["vpc"], ids["peer_vpc"]}
        assert sides[ids["vpc"]].peer_network_id == ids["peer_vpc"] and sides[ids["vpc"]].state == "active"
        assert sides[ids["vpc"]].route_exchange == "explicit"

        pls = by_id(snap.prefix_lists)
        assert pls[ids["prefix_list"]].cidrs == ("198.51.100.0/24",)

        policies = by_id(snap.policies)
        web, db, acl = policies[ids["web"]], policies[ids["db"]], policies[ids["acl"]]
        assert (web.kind, web.evaluation, web.stateful) == ("security-group", "union", True)
        ingress = {(r.protocol, tuple((p.first, p.last) for p in r.ports), r.peers[0].kind, r.peers[0].value)
                   for r in web.rules if r.direction == "ingress"}
        assert ingress == {("tcp", ((443, 443),), "cidr", "0.0.0.0/0"), ("tcp", ((443, 443),), "cidr", "::/0"),
                           ("tcp", ((22, 22),), "prefix-list", ids["prefix_list"])}
        assert all(r.id.startswith("sgr-") for r in web.rules)
        db_in = {(r.protocol, r.peers[0].kind, r.peers[0].value) for r in db.rules if r.direction == "ingress"}
        assert db_in == {("tcp", "group", ids["web"]), ("all", "cidr", "10.20.0.0/16")}
        assert (acl.kind, acl.evaluation, acl.stateful, acl.is_default) == ("network-acl", "first-match", False, False)
        assert [(r.priority, r.action, r.platform_default) for r in acl.rules if r.direction == "ingress"] == [
            (100, "allow", False), (200, "deny", False), (32767, "deny", True), (32768, "deny", True)]
        defaults = [p for p in snap.policies if p.network_id == ids["vpc"] and p.is_default]
        assert {p.kind for p in defaults} == {"security-group", "network-acl"}

        instance_eni = next(w for w in snap.workloads if w.owner_id == ids["instance"])
        assert (instance_eni.owner_kind, instance_eni.owner_name) == ("instance", "db-1")
        assert instance_eni.policy_ids == (ids["db"],) and instance_eni.subnet_id == ids["private"]
        assert instance_eni.tags["Name"] == "db-1" and instance_eni.private_ips
        nat_eni = next(w for w in snap.workloads if w.owner_kind == "nat" and w.region == region)
        assert nat_eni.owner_id == ids["nat"] and nat_eni.public_ips

    logs = by_id(snap.flow_logs)
    log = logs[estate["flow_log"]]
    assert (log.target_id, log.target_kind, log.traffic, log.enabled) == (
        estate["us-east-1"]["vpc"], "network", "reject", True)
    # the file round-trips through the shipped schema
    assert snapshot_file.loads(snapshot_file.dumps(snap)) == snap


def test_transit_gateways_their_tables_and_vpn_gateways(estate, baseline):
    for region in BUILT:
        ids = estate[region]
        assert ids["tgw"] in {h.id for h in baseline.hubs if h.region == region}
        att = by_id(baseline.hub_attachments)[ids["tgw_attachment"]]
        assert (att.hub_id, att.kind, att.network_id, att.subnet_ids, att.route_table_id) == (
            ids["tgw"], "network", ids["vpc"], (ids["private"],), ids["tgw_rtb"])
        assert att.availability_zones == (by_id(baseline.subnets)[ids["private"]].availability_zone,)
        assert att.availability_zones[0].startswith(region)
        table = by_id(baseline.hub_route_tables)[ids["tgw_rtb"]]
        routes = {(r.destination, r.target_kind, r.target_id, r.origin, r.active) for r in table.routes}
        # moto leaves TransitGatewayAttachments of a static route empty (AWS names the attachment):
        # its route to 192.168.0.0/16 leads nowhere; the AWS shape is tested in test_aws_hubs.py
        assert routes == {("172.16.0.0/12", "none", "", "user", False)}
        vgw = by_id(baseline.gateways)[ids["vgw"]]
        assert (vgw.kind, vgw.network_id) == ("vpn", ids["vpc"])


def test_denied_region_is_a_gap_and_the_rest_is_complete(estate, baseline, hooks):
    hooks.deny_region(DENIED)
    snap = collect_snapshot(regions=(*BUILT, DENIED), max_workers=3)
    assert {(e.region, e.service, e.code) for e in snap.errors} == {(DENIED, "ec2", "UnauthorizedOperation")}
    assert {e.operation for e in snap.errors} == {api(op) for op, _ in fetch.SWEEPS}  # each sweep denied, each said
    assert all(e.account == ACCOUNT and e.provider == "aws" for e in snap.errors)
    assert snap.networks == baseline.networks and snap.policies == baseline.policies
    assert snap.workloads == baseline.workloads and snap.route_tables == baseline.route_tables


def test_opt_in_required_stops_the_region_with_one_gap(estate, baseline, hooks):
    hooks.deny_region(DENIED, code="OptInRequired")
    snap = collect_snapshot(regions=(*BUILT, DENIED))
    assert [(e.region, e.operation, e.code) for e in snap.errors] == [(DENIED, "DescribeVpcs", "OptInRequired")]
    assert snap.subnets == baseline.subnets


def test_unreachable_endpoint_is_a_gap(estate, baseline, hooks, no_sleep):
    def unreachable(request, **_):
        if region_of(request) == DENIED:
            raise EndpointConnectionError(endpoint_url=request.url)

    hooks.add("before-send.ec2", unreachable)
    snap = collect_snapshot(regions=(*BUILT, DENIED), max_attempts=3)
    assert [(e.region, e.code) for e in snap.errors] == [(DENIED, "EndpointConnectionError")]
    assert snap.gateways == baseline.gateways


def test_only_read_operations_and_all_of_them_in_the_iam_policy(estate, hooks, direct_connect):
    direct_connect.gateway("dxgw-1")  # so the per-gateway Direct Connect calls are made too
    hooks.record_calls()
    collect_snapshot(regions=BUILT)
    iam_prefix = {"elbv2": "elasticloadbalancing"}  # botocore's service name -> the IAM action prefix
    called = {(iam_prefix.get(svc, svc), op) for svc, op in hooks.calls}
    assert {svc for svc, _ in called} == {"ec2", "sts", "elasticloadbalancing", "network-firewall", "directconnect"}
    assert all(op.startswith(("Describe", "Get", "List", "Search")) for svc, op in called if svc != "sts")
    assert {op for svc, op in called if svc == "sts"} == {"GetCallerIdentity"}
    allowed = {a for s in POLICY["Statement"] for a in s["Action"]}
    assert {f"{svc}:{op}" for svc, op in called if svc != "sts"} <= allowed
    # ...and the policy asks for nothing the collector never calls (DescribeRegions: default regions)
    ec2 = fetch.boto3.client("ec2", region_name="us-east-1").meta.method_to_api_mapping
    elb = fetch.boto3.client("elbv2", region_name="us-east-1").meta.method_to_api_mapping
    every_call = {f"ec2:{ec2[op]}" for op, _ in (*fetch.SWEEPS, fetch.ENTRIES, fetch.PROPAGATIONS[:2], (fetch.SEARCH, ""))}
    every_call |= {f"elasticloadbalancing:{elb[op]}"
                   for op, _ in (*fetch.ELB_SWEEPS, fetch.LISTENERS, fetch.TARGET_HEALTH[:2])}
    nfw = fetch.boto3.client("network-firewall", region_name="us-east-1").meta.method_to_api_mapping
    every_call |= {f"network-firewall:{nfw[op]}" for op, _ in (fetch.NFW_LIST, *fetch.NFW_CALLS)}
    dx = fetch.boto3.client("directconnect", region_name="us-east-1").meta.method_to_api_mapping
    every_call |= {f"directconnect:{dx[op]}" for op, _key, _raw in (fetch.DX_LIST, *fetch.DX_PER_GATEWAY)}
    assert {f"{svc}:{op}" for svc, op in called if svc == "directconnect"} == {
        f"directconnect:{dx[op]}" for op, _key, _raw in (fetch.DX_LIST, *fetch.DX_PER_GATEWAY)}
    assert allowed == every_call | {"ec2:DescribeRegions"}


def test_call_count_is_one_page_per_sweep_plus_prefix_list_entries(estate, hooks, direct_connect):
    for n in range(3):
        direct_connect.gateway(f"dxgw-{n}")
    hooks.record_calls()
    snap = collect_snapshot(regions=BUILT)
    ec2_calls = [op for svc, op in hooks.calls if svc == "ec2"]
    # moto answers every sweep in one page; one entries call per prefix list the estate uses;
    # per transit gateway route table (one per region here) its propagations and two route searches
    assert len(snap.hub_route_tables) == len(BUILT)
    assert len(ec2_calls) == len(BUILT) * len(fetch.SWEEPS) + len(snap.prefix_lists) + 3 * len(snap.hub_route_tables)
    assert len(ec2_calls) == 2 * 23 + 4 + 6
    # load balancers and target groups per region, then listeners per load balancer and
    # target health per target group a load balancer uses (one each per region here)
    elb_calls = [op for svc, op in hooks.calls if svc == "elbv2"]
    assert sorted(elb_calls) == sorted(["DescribeLoadBalancers", "DescribeTargetGroups", "DescribeListeners",
                                        "DescribeTargetHealth"] * len(BUILT))
    # no firewall in the estate: one ListFirewalls per region (per-firewall calls: test_firewall_calls)
    assert [op for svc, op in hooks.calls if svc == "network-firewall"] == ["ListFirewalls"] * len(BUILT)
    assert ec2_calls.count("GetManagedPrefixListEntries") == len(snap.prefix_lists) == 2 * len(BUILT)
    assert ec2_calls.count("SearchTransitGatewayRoutes") == 2 * len(BUILT)
    assert ec2_calls.count("GetTransitGatewayRouteTablePropagations") == len(BUILT)
    assert [op for svc, op in hooks.calls if svc == "sts"] == ["GetCallerIdentity"]
    # Direct Connect gateways are global: one listing per account (not per region), then
    # per gateway its associations and its attachments
    assert sorted(op for svc, op in hooks.calls if svc == "directconnect") == sorted(
        ["DescribeDirectConnectGateways"] + ["DescribeDirectConnectGatewayAssociations",
                                             "DescribeDirectConnectGatewayAttachments"] * 3)
    assert {params.get("maxResults") for _op, params in direct_connect.requests} == {100}


def test_default_regions_are_the_enabled_regions(estate, hooks):
    """moto knows every region and building each one's backend costs about a second, so the
    answer of an account with two regions enabled is injected in DescribeRegions' real shape."""
    items = "".join(f"<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.amazonaws.com</regionEndpoint>"
                    f"<optInStatus>opt-in-not-required</optInStatus></item>" for r in BUILT)
    body = (f'<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
            f"<regionInfo>{items}</regionInfo></DescribeRegionsResponse>").encode()

    def regions_answer(request, event_name, **_):
        if event_name.endswith(".DescribeRegions"):
            return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, Body(body))

    hooks.add("before-send.ec2", regions_answer)
    hooks.record_calls()
    started = []
    progress = types.SimpleNamespace(start=started.append, advance=lambda label: None)
    snap = collect_snapshot(progress, max_workers=8)
    assert started == [len(BUILT)]
    assert [op for _, op in hooks.calls].count("DescribeRegions") == 1
    assert {n.region for n in snap.networks} == set(BUILT) and snap.complete


def test_paging_at_the_largest_page_size():
    """moto ignores MaxResults, so pages are injected; each request must carry the API's maximum."""
    client = boto3.client("ec2", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response("describe_route_tables", {"RouteTables": [{"RouteTableId": "rtb-1"}], "NextToken": "t1"},
                          {"MaxResults": 100})
        stub.add_response("describe_route_tables", {"RouteTables": [{"RouteTableId": "rtb-2"}], "NextToken": "t2"},
                          {"MaxResults": 100, "NextToken": "t1"})
        stub.add_response("describe_route_tables", {"RouteTables": [{"RouteTableId": "rtb-3"}]},
                          {"MaxResults": 100, "NextToken": "t2"})
        items = fetch.sweep(client, "describe_route_tables", "RouteTables")
        stub.add_response("describe_security_group_rules", {"SecurityGroupRules": []}, {"MaxResults": 1000})
        assert fetch.sweep(client, "describe_security_group_rules", "SecurityGroupRules") == []
        stub.assert_no_pending_responses()
    assert [t["RouteTableId"] for t in items] == ["rtb-1", "rtb-2", "rtb-3"]
    assert fetch.page_size(client, "describe_egress_only_internet_gateways") == 255
    assert fetch.page_size(client, "describe_instances") == fetch.FALLBACK_PAGE_SIZE


def test_throttling_storm_yields_the_same_snapshot(estate, baseline, hooks, no_sleep):
    attempts = {"n": 0, "throttled": 0}
    lock = threading.Lock()

    def storm(request, **_):
        with lock:
            attempts["n"] += 1
            if attempts["n"] % 3 == 0:
                attempts["throttled"] += 1
                return ec2_error("RequestLimitExceeded", 503, "Request limit exceeded.")
        return None

    hooks.add("before-send.ec2", storm)
    snap = collect_snapshot(regions=BUILT, max_workers=2)
    assert attempts["throttled"] >= 10
    assert snap == baseline


def test_5xx_beyond_the_retry_budget_is_a_gap_not_a_crash(estate, baseline, hooks, no_sleep):
    def broken(request, event_name, **_):
        if event_name.endswith(".DescribeNetworkAcls"):
            return ec2_error("InternalError", 500, "We encountered an internal error.")
        return None

    hooks.add("before-send.ec2", broken)
    snap = collect_snapshot(regions=BUILT, max_attempts=3)
    assert {(e.region, e.operation, e.code) for e in snap.errors} == {
        (r, "DescribeNetworkAcls", "InternalError") for r in BUILT}
    assert not [p for p in snap.policies if p.kind == "network-acl"]
    assert snap.workloads == baseline.workloads  # the sweeps after the failed one still ran


def test_accounts_by_role_arn_and_by_role_name(estate, tmp_path, hooks):
    hooks.record_calls()
    other = "210987654321"
    snap = collect_snapshot(regions=("eu-west-1",), role_arns=(f"arn:aws:iam::{other}:role/Audit",),
                            external_id="xyz")
    assert [a.id for a in snap.accounts] == [other]
    assert {n.account for n in snap.networks} == {other}  # moto keeps a separate estate per account
    assert ("sts", "AssumeRole") in hooks.calls
    accounts = tmp_path / "accounts.txt"
    accounts.write_text(f"# organisation\n{other}\n{ACCOUNT}\n")
    snap = collect_snapshot(regions=("eu-west-1",), role_name="Audit", accounts_file=str(accounts))
    assert sorted(a.id for a in snap.accounts) == sorted([other, ACCOUNT])
    assert estate["eu-west-1"]["vpc"] in {n.id for n in snap.networks if n.account == ACCOUNT}


@pytest.mark.parametrize("kw, message", [
    (dict(role_name="Audit"), "--role-name needs --accounts"),
    (dict(role_arns=("not-an-arn",)), "is not a role ARN"),
    (dict(accounts_file="/nonexistent/accounts.txt", role_name="A"), "cannot read"),
])
def test_bad_account_options_are_input_errors(kw, message):
    with pytest.raises(InputError, match=message):
        collect_snapshot(regions=("eu-west-1",), **kw)


def test_ctrl_c_cancels_the_pool_without_waiting_for_regions(estate, hooks, monkeypatch):
    """Ctrl-C in the main thread while every worker is busy: collect raises at once and the
    workers leave at their next page instead of finishing their regions."""
    import signal

    started = threading.Event()
    sent = []

    def slow(request, **_):
        if not sent:
            sent.append(1)
            started.set()
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)  # what Ctrl-C does
        time.sleep(0.05)
        return None

    hooks.add("before-send.ec2", slow)
    regions = BUILT * 3  # six scopes of already-built regions: ~2.4 s of calls on two workers
    begin = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        collect_snapshot(regions=regions, max_workers=2)
    interrupted = time.monotonic() - begin
    for t in [t for t in threading.enumerate() if t.name.startswith("segaudit-aws")]:
        t.join(timeout=5)
        assert not t.is_alive()
    assert started.is_set()
    assert interrupted < 1.0 and time.monotonic() - begin < 1.2


def test_a_role_that_cannot_be_assumed_is_a_gap_for_that_account(estate, hooks):
    body = (b"<ErrorResponse xmlns='https://sts.amazonaws.com/doc/2011-06-15/'><Error><Type>Sender</Type>"
            b"<Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error>"
            b"<RequestId>r</RequestId></ErrorResponse>")

    def deny_one(request, event_name, **_):
        if event_name.endswith(".AssumeRole") and "333333333333" in str(request.body):
            return AWSResponse(request.url, 403, {"Content-Type": "text/xml"}, Body(body))

    hooks.add("before-send.sts", deny_one)
    snap = collect_snapshot(regions=("eu-west-1",), role_arns=(
        "arn:aws:iam::333333333333:role/Audit", f"arn:aws:iam::{ACCOUNT}:role/Audit"))
    assert [a.id for a in snap.accounts] == [ACCOUNT]
    assert [(e.account, e.service, e.operation, e.code) for e in snap.errors] == [
        ("333333333333", "sts", "AssumeRole", "AccessDenied")]
    assert estate["eu-west-1"]["vpc"] in {n.id for n in snap.networks}


def test_multi_page_sweep_through_the_collector_follows_next_token(estate, baseline, hooks):
    """An injected first page of DescribeVpcs carries a nextToken; the second request (with the
    token) goes on to moto. The sweep makes exactly one more call and keeps both pages."""
    page = (b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
            b"<vpcSet><item><vpcId>vpc-0page1</vpcId><ownerId>123456789012</ownerId><cidrBlock>10.99.0.0/16</cidrBlock>"
            b"<isDefault>false</isDefault></item></vpcSet><nextToken>page-2</nextToken></DescribeVpcsResponse>")
    seen = []

    def first_page(request, event_name, **_):
        if event_name.endswith(".DescribeVpcs"):
            body = str(request.body)
            seen.append(body)
            if "NextToken" not in body:
                return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, Body(page))

    hooks.add("before-send.ec2", first_page)
    hooks.record_calls()
    snap = collect_snapshot(regions=("us-east-1",))
    assert len(seen) == 2 and "MaxResults=1000" in seen[0] and "NextToken=page-2" in seen[1]
    assert [op for _, op in hooks.calls].count("DescribeVpcs") == 2
    ids = {n.id for n in snap.networks}
    assert "vpc-0page1" in ids and {n.id for n in baseline.networks if n.region == "us-east-1"} <= ids


def test_denied_rules_call_is_a_gap_and_rules_come_from_the_groups(estate, baseline, hooks):
    def deny_rules(request, event_name, **_):
        if event_name.endswith(".DescribeSecurityGroupRules"):
            return ec2_error("UnauthorizedOperation", 403)

    hooks.add("before-send.ec2", deny_rules)
    snap = collect_snapshot(regions=("us-east-1",))
    assert [(e.operation, e.code) for e in snap.errors] == [("DescribeSecurityGroupRules", "UnauthorizedOperation")]
    web = by_id(snap.policies)[estate["us-east-1"]["web"]]
    before = by_id(baseline.policies)[estate["us-east-1"]["web"]]
    assert {(r.direction, r.protocol, r.ports, r.peers) for r in web.rules} == {
        (r.direction, r.protocol, r.ports, r.peers) for r in before.rules}
