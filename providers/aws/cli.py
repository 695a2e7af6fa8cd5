"""`segaudit snapshot aws` / `segaudit scan aws`: options and the collector entry point.

Imports click only; boto3 is loaded inside collect().
"""
from __future__ import annotations

import re
from typing import Any

import click

NAME = "aws"
HELP = "AWS accounts: VPCs, subnets, routes, gateways, peerings, security groups, network ACLs, interfaces and flow logs."


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _split(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    regions = tuple(dict.fromkeys(r.strip() for v in value for r in v.split(",") if r.strip()))
    bad = [r for r in regions if not _REGION.match(r)]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not an AWS region name (like eu-west-1)")
    return regions


OPTIONS = [
    click.option("--regions", multiple=True, callback=_split, metavar="REGION[,REGION...]",
                 help="Regions to read (comma list or repeated); default: every enabled region."),
    click.option("--profile", help="Named profile from the AWS config files (default: the credential chain)."),
    click.option("--role-arn", "role_arns", multiple=True, metavar="ARN",
                 help="Assume this role and read its account; repeat for several accounts."),
    click.option("--external-id", help="External id for --role-arn / --role-name."),
    click.option("--role-name", help="Role to assume in every account of --accounts."),
    click.option("--accounts", "accounts_file", type=click.Path(dir_okay=False),
                 help="File of account ids, one a line, for --role-name."),
    click.option("--max-attempts", type=click.IntRange(1, 50), default=10, show_default=True,
                 help="Attempts per API call (botocore adaptive retry mode)."),
    click.option("--from-dir", "from_dir", type=click.Path(file_okay=False), metavar="DIR",
                 help="Read exported API responses instead of calling AWS: DIR/REGION/Vpcs.json, ... or "
                      "DIR/accounts/ACCOUNT/REGION/... (providers/aws/export.sh writes them)."),
    click.option("--account", metavar="ID", help="With --from-dir: the account id when the files carry no OwnerId."),
]


def collect(progress: Any, max_workers: int, regions: tuple[str, ...] = (), profile: str | None = None,
            role_arns: tuple[str, ...] = (), external_id: str | None = None, role_name: str | None = None,
            accounts_file: str | None = None, max_attempts: int = 10, from_dir: str | None = None,
            account: str | None = None) -> Any:
    if from_dir:
        from providers.aws.offline import snapshot_from_dir

        return snapshot_from_dir(from_dir, account)
    if account:
        raise click.UsageError("--account goes with --from-dir")
    from providers.aws.collector import collect_snapshot

    return collect_snapshot(progress, max_workers, regions=regions, profile=profile, role_arns=role_arns,
                            external_id=external_id, role_name=role_name, accounts_file=accounts_file,
                            max_attempts=max_attempts)
