"""Delivering one alert through one channel: email through Django's backend, webhooks by a
signed HTTP POST with a timeout and retries with backoff."""

import hashlib
import hmac
import json
import os
import time
import urllib.error
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
            "secret_env": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
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
    if problems:
        raise ValidationError({"config": problems})


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
    if secret_env:
        secret = os.environ.get(secret_env)
        if not secret:
            raise DeliveryFailed(f"The signing secret's variable {secret_env} is not set.")
        headers["X-PyCharter-Signature"] = signature(secret, timestamp, body)
    request = urllib.request.Request(channel.config["url"], data=body, headers=headers,
                                     method="POST")
    timeout = channel.config.get("timeout_seconds", settings.PYCHARTER_WEBHOOK_TIMEOUT_SECONDS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code} from {channel.config['url']}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryFailed(f"{channel.config['url']} did not answer: {reason}") from None
    return recipients
