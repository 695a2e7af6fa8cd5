"""`segaudit snapshot gcp` / `segaudit scan gcp`: options and the collector entry point.

Imports click only; google-auth and google-cloud-compute load inside collect().
"""
from __future__ import annotations

from typing import Any

import click

from scanner.errors import InputError

NAME = "gcp"
HELP = "GCP projects' VPC networks, firewall rules and policies, routes, Cloud NAT and instances."
SCOPES = ("https://www.googleapis.com/auth/compute.readonly",)

OPTIONS = [
    click.option("--project", "project", multiple=True, metavar="ID", help="Project to read (repeatable)."),
    click.option("--projects", "projects_file", type=click.Path(dir_okay=False), metavar="FILE",
                 help="File with one project id per line ('#' starts a comment)."),
    click.option("--impersonate-service-account", metavar="EMAIL",
                 help="Read as this service account (needs roles/iam.serviceAccountTokenCreator on it)."),
    click.option("--api-endpoint", envvar="SEGAUDIT_GCP_API_ENDPOINT", metavar="HOST",
                 help="Compute API endpoint for every call (private or restricted endpoint, a test fake)."),
    click.option("--from-dir", "from_dir", type=click.Path(file_okay=False), metavar="DIR",
                 help="Read exported `gcloud compute ... list --format=json` answers instead: DIR/PROJECT/networks.json, ..."),
]


def read_project_file(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def credentials_for(impersonate: str | None) -> tuple[Any, str | None]:
    import google.auth
    from google.auth import exceptions as auth_exceptions

    try:
        creds, default_project = google.auth.default(scopes=list(SCOPES))
    except auth_exceptions.DefaultCredentialsError:
        raise InputError("no Google credentials found: run `gcloud auth application-default login` "
                         "or set GOOGLE_APPLICATION_CREDENTIALS") from None
    if impersonate:
        from google.auth import impersonated_credentials

        creds = impersonated_credentials.Credentials(
            source_credentials=creds, target_principal=impersonate, target_scopes=list(SCOPES), lifetime=3600)
    return creds, default_project


def collect(progress: Any, max_workers: int, project: tuple[str, ...] = (), projects_file: str | None = None,
            impersonate_service_account: str | None = None, api_endpoint: str | None = None,
            credentials: Any = None, retry: Any = None, from_dir: str | None = None, **_: Any):
    """Read every project given; `credentials` and `retry` are for callers embedding segaudit (and tests)."""
    if from_dir:
        from providers.gcp.offline import snapshot_from_dir

        return snapshot_from_dir(from_dir)
    projects = list(project) + (read_project_file(projects_file) if projects_file else [])
    if credentials is None:
        credentials, default_project = credentials_for(impersonate_service_account)
        if not projects and default_project:
            projects = [default_project]
    if not projects:
        raise InputError("no project given: use --project ID or --projects FILE")
    from providers.gcp import fetch

    projects = list(dict.fromkeys(projects))
    progress.start(len(projects))
    return fetch.read_projects(projects, credentials, api_endpoint or None, retry or fetch.default_retry(),
                               max_workers, progress.advance)
