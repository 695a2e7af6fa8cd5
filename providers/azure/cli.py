"""`segaudit snapshot azure` / `segaudit scan azure`: click only here, the SDKs load in collect()."""
from __future__ import annotations

import os
from typing import Any, Callable

import click

NAME = "azure"
HELP = "the network segmentation of Azure subscriptions (read-only)."

CLOUDS = ("AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud")

OPTIONS = [
    click.option("--subscription", "subscriptions", multiple=True, metavar="ID",
                 help="Subscription to read (repeatable); default: every subscription the credentials can list."),
    click.option("--tenant", default=None, metavar="ID", help="Tenant to authenticate in."),
    click.option("--cloud", type=click.Choice(CLOUDS), default=None,
                 help="Azure cloud: picks the ARM endpoint and the login host. Default: the login host of "
                      "AZURE_AUTHORITY_HOST (and the ARM endpoint of its cloud) when set, else AzurePublicCloud."),
    click.option("--arm-endpoint", envvar="SEGAUDIT_AZURE_ARM_ENDPOINT", default=None, metavar="URL",
                 help="ARM endpoint overriding the cloud's (private ARM); the token scope follows it. "
                      "[env SEGAUDIT_AZURE_ARM_ENDPOINT]"),
    click.option("--from-dir", "from_dir", type=click.Path(file_okay=False), metavar="DIR",
                 help="Read exported ARM list answers (`az rest` output) instead: DIR/SUBSCRIPTION/virtualNetworks.json, ..."),
]

# Tests replace this to inject a credential object; by default DefaultAzureCredential
# (environment, workload identity, managed identity, Azure CLI, ...).
credential_factory: Callable[[str, str | None], Any] | None = None
# Tests lower the retry budget so 5xx scenarios do not crawl.
retry_settings: dict[str, Any] = {}


def collect(progress: Any, max_workers: int, subscriptions: tuple[str, ...] = (), tenant: str | None = None,
            cloud: str | None = None, arm_endpoint: str | None = None, from_dir: str | None = None) -> Any:
    if from_dir:
        from providers.azure.offline import snapshot_from_dir

        return snapshot_from_dir(from_dir)
    from providers.azure import fetch, normalize
    from scanner.errors import InputError

    # azure-identity's convention: AZURE_AUTHORITY_HOST decides the login host unless the
    # user names a cloud; a sovereign login host also means that cloud's ARM endpoint.
    arm_cloud = cloud or fetch.cloud_of_authority(os.environ.get("AZURE_AUTHORITY_HOST", "")) or "AzurePublicCloud"
    endpoint = (arm_endpoint or fetch.ARM_ENDPOINTS[arm_cloud]).rstrip("/")
    if not endpoint.startswith("https://"):
        raise InputError(f"--arm-endpoint: {endpoint!r} is not an https:// URL")
    settings = fetch.Settings(endpoint=endpoint, **retry_settings)
    make = credential_factory or fetch.default_credential
    credential = make(cloud, tenant)
    names: dict[str, str] = {}
    if subscriptions:
        chosen = list(dict.fromkeys(s.strip() for s in subscriptions))
    else:
        listed = fetch.list_subscriptions(credential, settings)
        names = dict(listed)
        chosen = [sid for sid, _ in listed]
    raws, gaps = fetch.fetch(credential, chosen, settings, max_workers, progress)
    return normalize.snapshot(raws, gaps, names)
