from casefiles import Case
from kubeset import cluster, coredns, deployment, namespace, netpol

CHECK = "SEG603"

KUBE_DNS = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
UDP53 = [{"port": 53, "protocol": "UDP"}]


def shop(*egress, extra=()):
    return cluster(namespace("shop"), deployment("shop", "web", {"app": "web"}), coredns(), *extra,
                   netpol("shop", "out", {}, policyTypes=["Egress"], egress=list(egress)))


CASES = {
    "pass_kubernetes_dns_to_kube_dns_only": Case(lambda: shop({"to": [KUBE_DNS], "ports": UDP53})),
    "pass_kubernetes_dns_to_a_resolver_address": Case(
        lambda: shop({"to": [{"ipBlock": {"cidr": "10.0.0.10/32"}}], "ports": UDP53})),
    "pass_kubernetes_general_allow_all_is_not_a_dns_rule": Case(lambda: shop({})),
    "fail_kubernetes_dns_to_every_namespace": Case(
        lambda: shop({"to": [{"namespaceSelector": {}}], "ports": UDP53}), {"c/shop/out"}),
    "fail_kubernetes_dns_to_every_address": Case(lambda: shop({"ports": UDP53}), {"c/shop/out"}),
    "fail_kubernetes_dns_to_the_internet": Case(
        lambda: shop({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 53}]}), {"c/shop/out"}),
    "fail_kubernetes_kube_system_without_pod_selector": Case(
        lambda: shop({"to": [{"namespaceSelector": KUBE_DNS["namespaceSelector"]}], "ports": UDP53},
                     extra=[deployment("kube-system", "metrics", {"app": "metrics"})]), {"c/shop/out"}),
}
