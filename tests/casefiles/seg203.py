from builder import allow_in, allow_out, app_group, cidr, group, tag
from casefiles import Case
from estates import aws, azure, gcp
from kubeset import cluster, deployment, namespace, netpol

CHECK = "SEG203"

PERMIT_DMZ_TO_DATA = """
version: 1
zones:
  - {name: dmz, match: [{tags: {Zone: dmz}}]}
  - {name: internal, match: [{tags: {Zone: internal}}]}
  - {name: data, match: [{tags: {Zone: data}}]}
  - {name: management, match: [{tags: {Zone: management}}]}
flows:
  - {from: internet, to: dmz, ports: [tcp/443]}
  - {from: dmz, to: internal, ports: [tcp/8080]}
  - {from: dmz, to: data, ports: [tcp/5432], note: "reporting replica, approved"}
  - {from: internal, to: data, ports: [tcp/5432]}
  - {from: management, to: internal, ports: [tcp/22]}
  - {from: management, to: data, ports: [tcp/22]}
"""


def aws_dmz_to_data():
    return aws(web=[allow_out("tcp", 5432, group("sg-db"))], db=[allow_in("tcp", 5432, group("sg-web"))])


K8S_ZONES = """
version: 1
zones:
  - {name: dmz, match: [{namespace: frontend}]}
  - {name: data, match: [{labels: {zone: data}}]}
  - {name: internal, match: [{namespace: "*"}]}
flows:
  - {from: dmz, to: data, ports: [tcp/5432]}
"""


def k8s_estate(*policies):
    """A frontend namespace (dmz by name or by file) that admits nothing, a database pod
    labelled zone=data."""
    return cluster(netpol("frontend", "deny", {}), namespace("frontend"), namespace("payments"),
                   deployment("frontend", "web", {"app": "web"}),
                   deployment("payments", "db", {"app": "db", "zone": "data"}, ports=[{"containerPort": 5432}]),
                   *policies)


DB_ONLY_FROM_WEB_5432 = netpol("payments", "db", {"matchLabels": {"app": "db"}}, ingress=[{
    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "frontend"}}}],
    "ports": [{"port": 5432}]}])


CASES = {
    "pass_kubernetes_database_isolated": Case(lambda: k8s_estate(netpol("payments", "deny", {}))),
    "pass_kubernetes_only_the_permitted_port": Case(lambda: k8s_estate(DB_ONLY_FROM_WEB_5432), zones=K8S_ZONES),
    # the cause is the missing policy: the pod is not isolated, so the platform's allow-all admits
    "fail_kubernetes_dmz_reaches_data_without_policy": Case(lambda: k8s_estate(), {"c/k8s:allow-all-ingress"},
                                                            affected={"c/payments/db"}),
    "fail_kubernetes_namespace_zones_from_the_file": Case(
        lambda: k8s_estate(netpol("payments", "db", {"matchLabels": {"app": "db"}}, ingress=[{
            "from": [{"namespaceSelector": {}}], "ports": [{"port": 5432}, {"port": 22}]}])),
        {"c/payments/db"}, zones=K8S_ZONES),
    "pass_aws_reference_design": Case(lambda: aws().snapshot()),
    "pass_aws_flow_permitted_by_the_policy_file": Case(lambda: aws_dmz_to_data().snapshot(), zones=PERMIT_DMZ_TO_DATA),
    "pass_gcp_reference_design": Case(lambda: gcp().snapshot()),
    "pass_azure_reference_design": Case(lambda: azure().snapshot()),
    "fail_aws_dmz_reaches_data": Case(lambda: aws_dmz_to_data().snapshot(), {"sg-db"}, affected={"eni-db"}),
    "fail_gcp_dmz_reaches_data": Case(
        lambda: gcp([allow_in("tcp", 5432, tag("web"), targets=[tag("db")], priority=900),
                     allow_out("tcp", 5432, cidr("10.10.2.0/24"), targets=[tag("web")], priority=900)]).snapshot(),
        {"prod-net/firewalls"}, affected={"vm-db"}),
    "fail_azure_dmz_reaches_data": Case(
        lambda: azure([allow_in("tcp", 5432, app_group("asg-web"), targets=[app_group("asg-db")],
                                priority=105)]).snapshot(), {"nsg-zones"}, affected={"nic-db"}),
}
