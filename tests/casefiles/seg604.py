from casefiles import Case
from kubeset import cluster, coredns, deployment, namespace, netpol

CHECK = "SEG604"

DNS_ID = "c/kube-system/coredns"
FROM_ALL_NAMESPACES = {"from": [{"namespaceSelector": {}}],
                       "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}


def estate(*policies):
    return cluster(namespace("kube-system"), namespace("shop"), deployment("shop", "web", {"app": "web"}),
                   coredns(), *policies)


CASES = {
    "pass_kubernetes_kube_system_without_policies": Case(lambda: estate()),
    "pass_kubernetes_default_deny_with_dns_allowed": Case(lambda: estate(
        netpol("kube-system", "deny", {}),
        netpol("kube-system", "dns", {"matchLabels": {"k8s-app": "kube-dns"}}, ingress=[FROM_ALL_NAMESPACES]))),
    "pass_kubernetes_dns_by_named_port": Case(lambda: estate(
        netpol("kube-system", "deny", {}),
        netpol("kube-system", "dns", {"matchLabels": {"k8s-app": "kube-dns"}},
               ingress=[{"ports": [{"port": "dns", "protocol": "UDP"}]}]))),
    "fail_kubernetes_default_deny_in_kube_system": Case(
        lambda: estate(netpol("kube-system", "deny", {})), {DNS_ID}),
    "fail_kubernetes_dns_open_to_kube_system_only": Case(lambda: estate(
        netpol("kube-system", "deny", {}),
        netpol("kube-system", "dns", {"matchLabels": {"k8s-app": "kube-dns"}},
               ingress=[{"from": [{"podSelector": {}}], "ports": [{"port": 53, "protocol": "UDP"}]}])), {DNS_ID}),
}
