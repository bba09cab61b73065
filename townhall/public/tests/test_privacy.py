from typing import Any

import pytest

from townhall.comments.models import Site


@pytest.mark.django_db
def test_no_email_or_address_in_logs(site: Site, settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any) -> None:
    import logging

    from django.test import Client

    from townhall.core.testing import PAGE, post_json

    settings.EMAIL_BACKEND = "townhall.core.mail.MaskedLogBackend"
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR="198.51.100.23")
    with django_capture_on_commit_callbacks(execute=True):
        parent = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "first", "author_name": "Ann",
                                                          "author_email": "ann.private@example.com", "notify": True}).json()
        post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "reply", "parent": parent["id"],
                                               "author_email": "bob.private@example.com"})
        post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "", "author_email": "bad@"})
    logged = caplog.text
    assert "email (not sent" in logged  # the notification went through the log backend
    assert "@example.com" not in logged and "198.51.100.23" not in logged
