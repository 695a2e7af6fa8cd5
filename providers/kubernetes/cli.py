"""`segaudit snapshot kubernetes` / `segaudit scan kubernetes`: options and the collector.

Imports click only; the `kubernetes` client is loaded inside collect(), and not at all
for --from-dir.
"""
from __future__ import annotations

import os
from typing import Any

import click

from scanner.errors import InputError

NAME = "kubernetes"
RETRIES = 6
HELP = ("a Kubernetes cluster (kubeconfig or in-cluster) or a directory of manifests: namespaces, pods and "
        "controllers' pod templates, NetworkPolicies, services.")

OPTIONS = [
    click.option("--context", metavar="NAME", help="kubeconfig context to read (default: the current one)."),
    click.option("--kubeconfig", type=click.Path(dir_okay=False), metavar="FILE",
                 help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config; in a pod, its service account)."),
    click.option("--namespace", "namespaces", multiple=True, metavar="NS",
                 help="Read only this namespace (repeatable); default: every namespace."),
    click.option("--from-dir", type=click.Path(file_okay=False), metavar="DIR",
                 help="Read YAML/JSON manifests from DIR instead of a cluster (kubectl, Helm or kustomize output)."),
    click.option("--cluster", "cluster_name", metavar="NAME",
                 help="Name the cluster in the snapshot (default: the context's cluster, or DIR's name)."),
    click.option("--attach-network", "attached", multiple=True, metavar="NETWORK_ID",
                 help="Cloud network (VPC / VNet id) whose workloads reach pod addresses directly (VPC-native CNI); "
                      "audit with that cloud's snapshot. Needs --pod-cidr."),
    click.option("--pod-cidr", "pod_cidrs", multiple=True, metavar="CIDR",
                 help="Address range of the pods, as routed in the attached networks (repeatable)."),
]


def api_client_for(kubeconfig: str | None, context: str | None) -> tuple[Any, str]:
    """An ApiClient and the cluster's name, from a kubeconfig or, inside a pod, in-cluster."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    in_cluster = not kubeconfig and not context and not os.environ.get("KUBECONFIG") \
        and os.environ.get("KUBERNETES_SERVICE_HOST") and not os.path.exists(os.path.expanduser("~/.kube/config"))
    configuration = client.Configuration()
    try:
        if in_cluster:
            config.load_incluster_config(client_configuration=configuration)
            name = "in-cluster"
        else:
            contexts, active = config.list_kube_config_contexts(config_file=kubeconfig)
            chosen = next((c for c in contexts if c.get("name") == context), None) if context else active
            if chosen is None:
                raise InputError(f"no context {context!r} in the kubeconfig")
            config.load_kube_config(config_file=kubeconfig, context=chosen["name"],
                                    client_configuration=configuration, persist_config=False)
            name = (chosen.get("context") or {}).get("cluster") or chosen["name"]
    except ConfigException as exc:
        raise InputError(f"no usable Kubernetes configuration: {' '.join(str(exc).split())}") from None
    configuration.retries = retries()
    return client.ApiClient(configuration), name


def retries() -> Any:
    """The API server's priority and fairness answers 429 with Retry-After under load;
    list calls (GET only) are retried on it and on 5xx with backoff, then become a gap."""
    from urllib3.util.retry import Retry

    return Retry(total=RETRIES, connect=2, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
                 allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)


def collect(progress: Any, max_workers: int, context: str | None = None, kubeconfig: str | None = None,
            namespaces: tuple[str, ...] = (), from_dir: str | None = None, cluster_name: str | None = None,
            attached: tuple[str, ...] = (), pod_cidrs: tuple[str, ...] = (), **_: Any) -> Any:
    import ipaddress
    from functools import partial

    from providers.kubernetes import normalize

    if attached and not pod_cidrs:
        raise InputError("--attach-network needs --pod-cidr: the pods' address range in that network")
    for cidr in pod_cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise InputError(f"--pod-cidr {cidr!r} is not an address range like 10.0.128.0/17") from None
    to_model = partial(normalize.normalize, attached=attached, pod_cidrs=pod_cidrs)

    if from_dir:
        if context or kubeconfig or namespaces:
            raise InputError("--from-dir reads manifests only: drop --context, --kubeconfig and --namespace")
        from providers.kubernetes import manifests

        return to_model(manifests.read_dir(from_dir, cluster_name or ""))
    from providers.kubernetes import fetch

    api, name = api_client_for(kubeconfig, context)
    progress.start(len(fetch.NAMESPACED) * max(1, len(namespaces)))
    with api:
        cluster = fetch.read_cluster(api, cluster_name or name, namespaces, max_workers, progress.advance)
    return to_model(cluster)
