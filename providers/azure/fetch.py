"""Read an Azure estate through azure-mgmt-network: GET/list calls only.

Every list is taken at subscription scope (`list_all`) and paged by the SDK (nextLink).
Throttling (429 with Retry-After) and transient 5xx are retried by azure-core's
RetryPolicy; what still fails becomes a CollectionError and the rest goes on. Items are
kept as ARM JSON (`as_dict()` on the SDK models gives the REST shape) so that
normalize.py is a pure function of recorded API data.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from scanner.errors import InputError
from scanner.model import CollectionError
from scanner.pool import bounded_pool

ARM_ENDPOINTS = {
    "AzurePublicCloud": "https://management.azure.com",
    "AzureUSGovernment": "https://management.usgovcloudapi.net",
    "AzureChinaCloud": "https://management.chinacloudapi.cn",
}
AUTHORITY_HOSTS = {
    "AzurePublicCloud": "login.microsoftonline.com",
    "AzureUSGovernment": "login.microsoftonline.us",
    "AzureChinaCloud": "login.chinacloudapi.cn",
}

# (key in the raw record, operations group on NetworkManagementClient); every one is a
# subscription-scope list_all. virtualNetworks comes first: a subscription that denies
# it is recorded as one gap instead of one per list.
LISTS: tuple[tuple[str, str], ...] = (
    ("virtualNetworks", "virtual_networks"),
    ("networkSecurityGroups", "network_security_groups"),
    ("routeTables", "route_tables"),
    ("networkInterfaces", "network_interfaces"),
    ("publicIPAddresses", "public_ip_addresses"),
    ("natGateways", "nat_gateways"),
    ("applicationSecurityGroups", "application_security_groups"),
    ("azureFirewalls", "azure_firewalls"),
    ("firewallPolicies", "firewall_policies"),
    ("networkWatchers", "network_watchers"),
)
SERVICE = "Microsoft.Network"


@dataclass(frozen=True)
class Settings:
    endpoint: str = ARM_ENDPOINTS["AzurePublicCloud"]
    retry_total: int = 10  # azure-core's own default
    retry_backoff_factor: float = 0.8

    @property
    def scope(self) -> str:
        return self.endpoint.rstrip("/") + "/.default"

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.endpoint.rstrip("/"),
            "credential_scopes": [self.scope],
            "retry_total": self.retry_total,
            "retry_backoff_factor": self.retry_backoff_factor,
            # Sits after the retry policy, so it sees every request actually sent.
            "per_retry_policies": [read_only_policy()],
        }


def read_only_policy() -> Any:
    """A pipeline policy refusing anything but GET.

    azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy answers a 409
    MissingSubscriptionRegistration by POSTing a provider registration; a read-only audit
    must never do that, so the request fails here and becomes a gap instead.
    """
    from azure.core.exceptions import HttpResponseError
    from azure.core.pipeline.policies import HTTPPolicy

    class ReadOnlyRefused(HttpResponseError):
        pass

    class ReadOnlyPolicy(HTTPPolicy):
        def send(self, request):  # type: ignore[no-untyped-def]
            method = request.http_request.method.upper()
            if method != "GET":
                path = request.http_request.url.split("?")[0].split("/", 3)[-1]
                raise ReadOnlyRefused(message=f"segaudit is read-only: refused {method} /{path}")
            return self.next.send(request)

    return ReadOnlyPolicy()


class TenantCredential:
    """Asks every token for one tenant (`--tenant`); DefaultAzureCredential has no tenant_id."""

    def __init__(self, inner: Any, tenant: str) -> None:
        self._inner, self._tenant = inner, tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs.setdefault("tenant_id", self._tenant)
        return self._inner.get_token(*scopes, **kwargs)


def cloud_of_authority(host: str) -> str | None:
    """The cloud whose login host an AZURE_AUTHORITY_HOST value names ("https://login.microsoftonline.us")."""
    name = urlsplit(host if "//" in host else f"https://{host}").hostname if host.strip() else None
    return next((cloud for cloud, login in AUTHORITY_HOSTS.items() if login == name), None)


def default_credential(cloud: str | None, tenant: str | None) -> Any:
    """`cloud` None: azure-identity takes the login host from AZURE_AUTHORITY_HOST (public by default)."""
    from azure.identity import DefaultAzureCredential

    kwargs: dict[str, Any] = {"authority": AUTHORITY_HOSTS[cloud]} if cloud else {}
    if tenant:
        kwargs.update(workload_identity_tenant_id=tenant, shared_cache_tenant_id=tenant,
                      additionally_allowed_tenants=[tenant])
    credential = DefaultAzureCredential(**kwargs)
    return TenantCredential(credential, tenant) if tenant else credential


def credential_error(exc: Exception) -> InputError:
    first = (str(exc).strip().splitlines() or ["authentication failed"])[0]
    return InputError(
        "azure: no usable credential (sign in with `az login`, set AZURE_CLIENT_ID/AZURE_TENANT_ID "
        f"with a secret, certificate or federated token, or use azure/login): {first[:200]}"
    )


def _gap(subscription: str, operation: str, exc: Exception) -> CollectionError:
    from azure.core.exceptions import HttpResponseError

    code, message = type(exc).__name__, str(exc)
    if isinstance(exc, HttpResponseError):
        code = (exc.error.code if exc.error is not None and exc.error.code else "") or str(exc.status_code or code)
        message = exc.error.message if exc.error is not None and exc.error.message else (exc.reason or message)
    message = (message or "").strip().splitlines()[0][:300] if message else ""
    return CollectionError(provider="azure", account=subscription, service=SERVICE,
                           operation=operation, code=code, message=message)


def _guarded(subscription: str, operation: str, call: Callable[[], Iterable[Any]],
             gaps: list[CollectionError]) -> list[dict[str, Any]] | None:
    """Run one list to the end; a failure is a gap, a credential failure stops the run."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError

    try:
        return [item.as_dict() for item in call()]
    except ClientAuthenticationError as exc:
        if getattr(exc, "response", None) is None:  # the credential itself failed: nothing will work
            raise credential_error(exc) from None
        gaps.append(_gap(subscription, operation, exc))  # ARM's 401 for this scope (e.g. another tenant)
        return None
    except AzureError as exc:
        gaps.append(_gap(subscription, operation, exc))
        return None


def _policies_in_use(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {p["id"].casefold(): p for raw in raws for p in raw.get("firewallPolicies", [])}
    wanted: list[str] = []
    for firewall in (f for raw in raws for f in raw.get("azureFirewalls", [])):
        current = ((firewall.get("properties") or {}).get("firewallPolicy") or {}).get("id", "")
        while current and current.casefold() not in wanted:
            wanted.append(current.casefold())
            current = (((by_id.get(current.casefold()) or {}).get("properties") or {}).get("basePolicy") or {}).get("id", "")
    return [by_id[w] for w in wanted if w in by_id]


def _scope(resource_id: str) -> tuple[str, str]:
    """(resource group, name) of a top-level resource id."""
    parts = resource_id.strip("/").split("/")
    lower = [p.lower() for p in parts]
    return parts[lower.index("resourcegroups") + 1], parts[-1]


def fetch_subscription(credential: Any, subscription: str, settings: Settings) -> tuple[dict[str, Any], list[CollectionError]]:
    """Every list of one subscription as ARM JSON, plus the gaps met."""
    from azure.mgmt.network import NetworkManagementClient

    client = NetworkManagementClient(credential, subscription, **settings.client_kwargs())
    raw: dict[str, Any] = {"subscription": subscription}
    gaps: list[CollectionError] = []
    for key, group in LISTS:
        items = _guarded(subscription, f"{key}.list_all", getattr(client, group).list_all, gaps)
        if items is None and key == "virtualNetworks" and _denied(gaps[-1]):
            gaps[-1] = CollectionError(**{**_fields(gaps[-1]), "message": gaps[-1].message
                                          + " (nothing else in this subscription was read)"})
            return raw, gaps
        raw[key] = items if items is not None else []
    flow_logs: list[dict[str, Any]] = []
    for watcher in raw.get("networkWatchers", []):
        group, name = _scope(watcher["id"])
        items = _guarded(subscription, f"flowLogs.list({name})",
                         lambda: client.flow_logs.list(group, name), gaps)
        flow_logs.extend(items or [])
    raw["flowLogs"] = flow_logs
    return raw, gaps


def read_rule_groups(credential: Any, raws: list[dict[str, Any]], settings: Settings) -> list[CollectionError]:
    """Rule collection groups of the Firewall Policies some firewall uses or inherits from,
    in whichever scanned subscription the policy lives (central policies usually sit in a
    connectivity subscription): a policy nobody applies changes no path. Each policy's
    groups land in its own subscription's record, with `firewallPolicyGroupsRead` naming
    the policies read in full."""
    from azure.mgmt.network import NetworkManagementClient

    gaps: list[CollectionError] = []
    owner = {p["id"].casefold(): raw for raw in raws for p in raw.get("firewallPolicies", [])}
    clients: dict[str, Any] = {}
    for raw in raws:
        raw["firewallPolicyRuleCollectionGroups"], raw["firewallPolicyGroupsRead"] = [], []
    for policy in _policies_in_use(raws):
        raw = owner[policy["id"].casefold()]
        subscription = raw["subscription"]
        if subscription not in clients:
            clients[subscription] = NetworkManagementClient(credential, subscription, **settings.client_kwargs())
        client = clients[subscription]
        group, name = _scope(policy["id"])
        items = _guarded(subscription, f"firewallPolicyRuleCollectionGroups.list({name})",
                         lambda: client.firewall_policy_rule_collection_groups.list(group, name), gaps)
        if items is not None:
            raw["firewallPolicyRuleCollectionGroups"].extend(items)
            raw["firewallPolicyGroupsRead"].append({"id": policy["id"]})
    return gaps


def _fields(gap: CollectionError) -> dict[str, Any]:
    return {name: getattr(gap, name) for name in CollectionError.__dataclass_fields__}


def _denied(gap: CollectionError) -> bool:
    return gap.code in ("AuthorizationFailed", "403", "401", "SubscriptionNotFound", "InvalidAuthenticationTokenTenant",
                        "SubscriptionNotRegistered", "ReadOnlyDisabledSubscription")


def list_subscriptions(credential: Any, settings: Settings) -> list[tuple[str, str]]:
    """(id, display name) of every subscription the credential can list."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    client = SubscriptionClient(credential, **settings.client_kwargs())
    try:
        found = [(s.subscription_id, s.display_name or "") for s in client.subscriptions.list()]
    except ClientAuthenticationError as exc:
        raise credential_error(exc) from None
    except AzureError as exc:
        gap = _gap("", "subscriptions.list", exc)
        raise InputError(f"azure: cannot list subscriptions ({gap.code}: {gap.message}); "
                         "name them with --subscription") from None
    if not found:
        raise InputError("azure: the credential can list no subscription; name one with --subscription")
    return sorted(found)


def fetch(credential: Any, subscriptions: list[str], settings: Settings, max_workers: int,
          progress: Any) -> tuple[list[dict[str, Any]], list[CollectionError]]:
    """Subscriptions in parallel, bounded by max_workers; results in subscription order."""
    progress.start(len(subscriptions))

    def one(subscription: str) -> tuple[dict[str, Any], list[CollectionError]]:
        try:
            return fetch_subscription(credential, subscription, settings)
        finally:
            progress.advance(subscription)

    with bounded_pool(min(max_workers, len(subscriptions) or 1), "azure") as pool:
        results = list(pool.map(one, subscriptions))
    raws = [raw for raw, _ in results]
    gaps = [gap for _, found in results for gap in found]
    gaps += read_rule_groups(credential, raws, settings)
    return raws, gaps
