from casefiles import Case
from kubeset import cluster, daemonset, deployment, namespace, netpol

CHECK = "SEG605"


def shop(live=True, daemonsets=(), policies=True):
    objs = [namespace("shop"), deployment("shop", "web", {"app": "web"})]
    if policies:
        objs.append(netpol("shop", "deny", {}))
    return cluster(*objs, live=live, daemonsets=list(daemonsets))


CASES = {
    "pass_kubernetes_calico_enforces": Case(lambda: shop(daemonsets=[daemonset("calico-system", "calico-node")])),
    "pass_kubernetes_cilium_enforces": Case(lambda: shop(daemonsets=[daemonset("kube-system", "cilium")])),
    "pass_kubernetes_manifests_cannot_tell": Case(lambda: shop(live=False)),
    "pass_kubernetes_no_policies_to_enforce": Case(lambda: shop(policies=False)),
    "fail_kubernetes_flannel_only": Case(lambda: shop(daemonsets=[daemonset("kube-flannel", "kube-flannel-ds")]), {"c"}),
    "fail_kubernetes_no_plugin_seen": Case(lambda: shop(daemonsets=[daemonset("kube-system", "kube-proxy")]), {"c"}),
}
