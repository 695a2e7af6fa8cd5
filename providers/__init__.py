"""One adapter per cloud. Each names a cli module (no SDK import at module level) that
scanner.collect turns into `segaudit snapshot NAME` and `segaudit scan NAME`."""

PROVIDERS: dict[str, str] = {
    "aws": "providers.aws.cli",
    "gcp": "providers.gcp.cli",
    "azure": "providers.azure.cli",
    "kubernetes": "providers.kubernetes.cli",
}
