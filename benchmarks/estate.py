"""A synthetic AWS-shaped estate for the audit benchmark.

Per VPC: 10 subnets over the four zones, 50 security groups of 10 rules each (group
references, subnet ranges, a few internet-facing rules, egress), 100 interfaces. Fleets
share security groups as autoscaling groups do: the interfaces of a subnet draw from
three group combinations.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from builder import Estate, allow_in, allow_out, cidr, deny_in, deny_out, group, local, route  # noqa: E402

ZONES = ("dmz", "internal", "internal", "internal", "data", "data", "data", "management", "internal", "dmz")


def build(vpcs: int, seed: int = 7, subnets_per_vpc: int = 10, sgs_per_vpc: int = 50, rules_per_sg: int = 10,
          enis_per_vpc: int = 100):
    rnd = random.Random(seed)
    e = Estate("aws", "123456789012", "eu-west-1")
    any4 = cidr("0.0.0.0/0")
    for v in range(vpcs):
        a, b = divmod(v, 256)
        base = f"10.{a * 16 + b // 16}.{(b % 16) * 16}"
        space = f"{base}.0/20"
        vpc = e.network(f"vpc-{v:05d}", space, tags={"Environment": "production" if v % 4 else "development"})
        e.gateway(f"igw-{v:05d}", "internet", vpc, requires_public_address=True)
        e.gateway(f"nat-{v:05d}", "nat", vpc, subnet_id=f"subnet-{v:05d}-00")
        pub = e.route_table(f"rtb-{v:05d}-pub", vpc, routes=[local(space), route("0.0.0.0/0", "internet", f"igw-{v:05d}")])
        priv = e.route_table(f"rtb-{v:05d}-priv", vpc, routes=[local(space), route("0.0.0.0/0", "nat", f"nat-{v:05d}")])
        acl = e.policy(f"acl-{v:05d}", vpc, kind="network-acl", rules=[
            allow_in("all", None, any4, priority=100), allow_out("all", None, any4, priority=100),
            deny_in("all", None, any4, priority=32767, platform_default=True),
            deny_out("all", None, any4, priority=32767, platform_default=True)])
        subnets = []
        for s in range(subnets_per_vpc):
            zone = ZONES[s % len(ZONES)]
            c = f"{base[:base.rfind('.')]}.{int(base.split('.')[2]) + s}.0/24"
            subnets.append(e.subnet(f"subnet-{v:05d}-{s:02d}", vpc, c, route_tables=[pub if zone == "dmz" else priv],
                                    policies=[acl], tags={"Zone": zone}))
        sg_ids = [f"sg-{v:05d}-{g:03d}" for g in range(sgs_per_vpc)]
        for g, sg in enumerate(sg_ids):
            rules = []
            for r in range(rules_per_sg):
                kind = rnd.random()
                port = rnd.choice([22, 80, 443, 5432, 3306, 6379, 8080, 8443, 9000, 3389])
                if kind < 0.45:
                    rules.append(allow_in("tcp", port, group(rnd.choice(sg_ids))))
                elif kind < 0.75:
                    rules.append(allow_in("tcp", port, cidr(rnd.choice(subnets).cidrs[0])))
                elif kind < 0.80:
                    rules.append(allow_in("tcp", rnd.choice([80, 443]), any4))
                else:
                    rules.append(allow_out("tcp", port, group(rnd.choice(sg_ids))) if r % 2 else allow_out("all", None, any4))
            e.policy(sg, vpc, rules=rules)
        for s, subnet in enumerate(subnets):
            combos = [rnd.sample(sg_ids, rnd.choice([1, 2])) for _ in range(3)]
            for i in range(enis_per_vpc // subnets_per_vpc):
                host = 10 + i
                ip = subnet.cidrs[0].rsplit(".", 1)[0] + f".{host}"
                public = "198.18.{}.{}".format(v % 250, (s * 20 + i) % 250) if subnet.tags["Zone"] == "dmz" else None
                e.workload(f"eni-{v:05d}-{s:02d}-{i:02d}", subnet, ip, policies=combos[i % 3], public_ip=public)
    return e.snapshot()
