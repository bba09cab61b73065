"""Signatures as the Standard Webhooks specification computes them."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from townhall.webhooks import signing

# The specification's own test vector (standard-webhooks/spec, "Signature scheme").
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_specifications_test_vector() -> None:
    headers = signing.signature_headers(signing_secrets=[SPEC_SECRET], message_id=SPEC_ID,
                                        timestamp=SPEC_TIMESTAMP, body=SPEC_BODY)
    assert headers == {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": SPEC_SIGNATURE}


def test_a_new_secret_is_prefixed_base64_of_32_random_bytes() -> None:
    secret = signing.secret_new()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != signing.secret_new()
    assert "." not in signing.message_id_new()


def test_during_a_rotation_either_secret_verifies_and_a_tampered_body_does_not() -> None:
    old, new = signing.secret_new(), signing.secret_new()
    now = int(time.time())
    headers = signing.signature_headers(signing_secrets=[new, old], message_id="msg_1", timestamp=now, body='{"a":1}')
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify('{"a":1}', headers) == {"a": 1}
    assert Webhook(new).verify('{"a":1}', headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify('{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.secret_new()).verify('{"a":1}', headers)
