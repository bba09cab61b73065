from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from townhall.core.mail import mask_emails
from townhall.core.management.commands.settings_table import settings_markdown
from townhall.core.net import client_ip, truncate_ip

README = Path(__file__).resolve().parents[3] / "README.md"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_readme_documents_every_setting() -> None:
    assert settings_markdown() in README.read_text()


@pytest.mark.parametrize(
    ("hops", "xff", "expected"),
    [(0, "1.2.3.4", "9.9.9.9"), (1, "1.2.3.4", "1.2.3.4"), (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),
     (2, "6.6.6.6, 1.2.3.4, 5.5.5.5", "1.2.3.4"), (1, "not-an-ip", "9.9.9.9")],
)
def test_client_ip_trusts_exactly_the_configured_proxies(settings: Any, hops: int, xff: str, expected: str) -> None:
    settings.TRUSTED_PROXIES = hops
    request = RequestFactory().get("/", REMOTE_ADDR="9.9.9.9", HTTP_X_FORWARDED_FOR=xff)
    assert client_ip(request) == expected


def test_truncate_ip() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::"
    assert truncate_ip("garbage") == ""


def test_log_mail_backend_masks_addresses() -> None:
    assert mask_emails("to ann.b+x@example.co.uk now") == "to <email hidden> now"


@pytest.mark.django_db
def test_createadmin_creates_a_superuser() -> None:
    from django.contrib.auth.models import User

    run("createadmin", "--noinput", "--username", "root", "--email", "root@example.com")
    assert User.objects.get(username="root").is_superuser


def test_throttle_state_is_per_thread(settings: Any) -> None:
    """ninja asks wait() after allow_request() on one shared instance; another thread's request
    in between must not change this one's Retry-After."""
    import threading

    from townhall.core.throttles import WRITE

    WRITE._state.wait = 42.0
    seen: list[object] = []

    def other() -> None:
        seen.append(getattr(WRITE._state, "wait", None))
        WRITE._state.wait = 1.0

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [None] and WRITE.wait() == 42
