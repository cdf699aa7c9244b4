"""Delivering one alert through one channel: email through Django's backend, webhooks by a
signed HTTP POST with a timeout and retries with backoff."""

import hashlib
import hmac
import ipaddress
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from jsonschema import Draft202012Validator

from quality.models import ChannelKind

CONFIG_SCHEMAS = {
    ChannelKind.EMAIL: {
        "type": "object",
        "properties": {
            "extra_recipients": {"type": "array", "items": {"type": "string", "pattern": "@"}},
            "subject_prefix": {"type": "string"},
        },
        "additionalProperties": False,
    },
    ChannelKind.WEBHOOK: {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://"},
            "secret_env": {"type": "string"},
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
            "max_attempts": {"type": "integer", "minimum": 1, "maximum": 10},
        },
        "additionalProperties": False,
    },
}


def validate_channel_config(kind, config):
    schema = CONFIG_SCHEMAS.get(kind)
    if schema is None:
        raise ValidationError({"kind": f"Unknown channel kind {kind!r}."})
    problems = [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(config)'}: {error.message}"
        for error in Draft202012Validator(schema).iter_errors(config or {})
    ]
    if kind == ChannelKind.WEBHOOK and not problems:
        problems = _webhook_problems(config)
    if problems:
        raise ValidationError({"config": problems})


#: A webhook's signing secret comes from a variable with this prefix, never from any other
#: (such as the site's own SECRET_KEY).
SECRET_ENV_PREFIX = "PYCHARTER_WEBHOOK_"


def _webhook_problems(config):
    problems = []
    secret_env = config.get("secret_env")
    if secret_env is not None and not re.fullmatch(f"{SECRET_ENV_PREFIX}[A-Z0-9_]+", secret_env):
        problems.append(f"secret_env: {secret_env!r} is not allowed: name an environment "
                        f"variable that starts with {SECRET_ENV_PREFIX}, e.g. "
                        f"{SECRET_ENV_PREFIX}QUALITY_SECRET.")
    problem = destination_problem(config["url"], unresolved_is_problem=False)
    if problem:
        problems.append(f"url: {problem}")
    return problems


def destination_problem(url, *, unresolved_is_problem=True):
    """Why `url` is no place to send a webhook, or None.

    Only http(s) to public addresses: a destination inside the site's own network (loopback,
    private, link-local, reserved, multicast) would turn delivery errors into a scanner of
    that network. Hosts in PYCHARTER_WEBHOOK_ALLOWED_HOSTS are exempt. The host is resolved
    at save time and again at each delivery, as its addresses can change; at save time a
    host that does not resolve yet is accepted.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url} is not an http(s) URL with a host."
    host = parts.hostname
    if host in settings.PYCHARTER_WEBHOOK_ALLOWED_HOSTS:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port,
                                                                type=socket.SOCK_STREAM)}
    except (OSError, ValueError) as error:
        return f"{host} does not resolve: {error}" if unresolved_is_problem else None
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return (f"{host} resolves to {ip}, which is not a public address; allow the host "
                    "with PYCHARTER_WEBHOOK_ALLOWED_HOSTS if it is meant.")
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an address the destination check refused."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class DeliveryFailed(Exception):
    """The channel could not deliver; the message says why (kept on the delivery)."""


def payload(alert, recipients):
    return {
        "id": str(alert.id),
        "kind": alert.kind,
        "severity": alert.severity,
        "message": alert.message,
        "created_at": alert.created_at.isoformat(),
        "organization_id": str(alert.organization_id),
        "space_id": str(alert.space_id),
        "data_contract_id": str(alert.data_contract_id) if alert.data_contract_id else None,
        "quality_metric_id": str(alert.quality_metric_id) if alert.quality_metric_id else None,
        "recipients": recipients,
    }


def signature(secret, timestamp, body):
    """HMAC-SHA256 over "<timestamp>.<body>", so a receiver can verify and refuse replays."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def send_email(channel, alert, recipients):
    recipients = recipients + list(channel.config.get("extra_recipients", []))
    if not recipients:
        raise DeliveryFailed("No recipients: the routed roles have no owner with an email.")
    prefix = channel.config.get("subject_prefix", "[PyCharter]")
    send_mail(
        subject=f"{prefix} {alert.get_kind_display()}: {alert.message[:120]}",
        message=f"{alert.message}\n\nSeverity: {alert.severity}\nAlert: {alert.id}\n",
        from_email=None,
        recipient_list=recipients,
    )
    return recipients


def post_webhook(channel, alert, recipients, *, attempt):
    """One POST; raises DeliveryFailed on a network error, a timeout or a non-2xx answer."""
    body = json.dumps(payload(alert, recipients), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "pycharter-governance",
               "X-PyCharter-Timestamp": timestamp, "X-PyCharter-Attempt": str(attempt)}
    secret_env = channel.config.get("secret_env")
    if secret_env and not secret_env.startswith(SECRET_ENV_PREFIX):
        raise DeliveryFailed(f"The signing secret's variable {secret_env} does not start with "
                             f"{SECRET_ENV_PREFIX}.")
    if secret_env:
        secret = os.environ.get(secret_env)
        if not secret:
            raise DeliveryFailed(f"The signing secret's variable {secret_env} is not set.")
        headers["X-PyCharter-Signature"] = signature(secret, timestamp, body)
    problem = destination_problem(channel.config["url"])
    if problem:
        raise DeliveryFailed(problem)
    request = urllib.request.Request(channel.config["url"], data=body, headers=headers,
                                     method="POST")
    timeout = channel.config.get("timeout_seconds", settings.PYCHARTER_WEBHOOK_TIMEOUT_SECONDS)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code} from {channel.config['url']}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"{channel.config['url']} did not answer: {reason}") from None
    return recipients
