from casefiles import Case
from kubeset import cluster, deployment, namespace, netpol

CHECK = "SEG602"


def shop(*policies):
    return cluster(namespace("shop"), deployment("shop", "web", {"app": "web"}), *policies)


CASES = {
    "pass_kubernetes_default_deny_egress": Case(lambda: shop(netpol("shop", "deny", {}, policyTypes=["Egress"]))),
    "pass_kubernetes_egress_rules_imply_the_type": Case(lambda: shop(
        netpol("shop", "out", {}, egress=[{"ports": [{"port": 53, "protocol": "UDP"}]}]))),
    "fail_kubernetes_ingress_only_default_deny": Case(lambda: shop(netpol("shop", "deny", {})), {"c/shop"}),
    "fail_kubernetes_no_policy": Case(lambda: shop(), {"c/shop"}),
}
