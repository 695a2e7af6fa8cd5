"""--debug logging to stderr that never prints a secret.

The SDKs log request headers at DEBUG (botocore prints X-Amz-Security-Token and the
Authorization header; azure-core and google-auth print bearer tokens), so every record is
scrubbed before it is written: credential values found in the environment, and anything
shaped like a token, key or signature.
"""
from __future__ import annotations

import logging
import os
import re
import sys

SECRET_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
              "AZURE_CLIENT_CERTIFICATE_PASSWORD", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN")
PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(['\"]?(?:x-amz-security-token|authorization|x-goog-api-key|client_secret|access_token|"
               r"refresh_token|id_token|private_key|password|secret)['\"]?\s*[:=]\s*b?['\"]?)[^'\",\s}]+"),
    re.compile(r"(?i)(signature=)[0-9a-f]+"),
    re.compile(r"(?i)(credential=)[^/,\s]+"),
    re.compile(r"(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----)"),
)
MASK = "***"


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for value in secrets:
        if value:
            text = text.replace(value, MASK)
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK + (m.group(2) if pattern.groups > 1 else ""), text)
    return text


class RedactingFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets = tuple(sorted({os.environ.get(k, "") for k in SECRET_ENV if len(os.environ.get(k, "")) >= 4},
                                    key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = record.exc_text = None
        record.msg, record.args = redact(message, self.secrets), None
        return True


def configure(debug: bool) -> None:
    if not debug:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
