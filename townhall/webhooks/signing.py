"""Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-id`,
`webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`,
computed by the `standardwebhooks` library so receivers can verify with the same code."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's marker of a secret, not a secret


def secret_new() -> str:
    """A fresh endpoint secret: 32 random bytes (the spec asks for 24 to 64), base64, prefixed."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id_new() -> str:
    # No dots: the id is the first dot-separated part of the signed content.
    return f"msg_{uuid.uuid4().hex}"


def signature_headers(*, signing_secrets: list[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers. With more than one secret (during a rotation's grace period) the
    signature header lists one `v1,...` per secret, space-separated, as the spec allows."""
    at = datetime.fromtimestamp(timestamp, tz=UTC)
    signature = " ".join(Webhook(s).sign(msg_id=message_id, timestamp=at, data=body) for s in signing_secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}
