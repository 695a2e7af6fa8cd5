from casefiles import Case
from kubeset import cluster, coredns, deployment, namespace, netpol

CHECK = "SEG601"

DENY_INGRESS = {"policyTypes": ["Ingress"]}


def shop(*policies):
    return cluster(namespace("shop"), deployment("shop", "web", {"app": "web"}),
                   deployment("shop", "db", {"app": "db"}), coredns(), *policies)


CASES = {
    "pass_kubernetes_default_deny_ingress": Case(lambda: shop(netpol("shop", "deny", {}, **DENY_INGRESS))),
    "pass_kubernetes_every_pod_selected_by_an_ingress_policy": Case(lambda: shop(
        netpol("shop", "web", {"matchLabels": {"app": "web"}}, ingress=[{}]),
        netpol("shop", "db", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]}))),
    "pass_kubernetes_host_network_pods_only": Case(lambda: cluster(
        namespace("infra"), deployment("infra", "agent", {"app": "agent"}, hostNetwork=True))),
    "fail_kubernetes_no_policy": Case(lambda: shop(), {"c/shop"}),
    "fail_kubernetes_egress_only_default_deny": Case(
        lambda: shop(netpol("shop", "deny", {}, policyTypes=["Egress"])), {"c/shop"}),
    "fail_kubernetes_one_pod_left_out": Case(
        lambda: shop(netpol("shop", "web", {"matchLabels": {"app": "web"}})), {"c/shop"}),
    "fail_kubernetes_kube_system_judged_when_asked": Case(
        lambda: shop(netpol("shop", "deny", {}, **DENY_INGRESS)), {"c/kube-system"},
        params={"skip_namespaces": ()}),
}
