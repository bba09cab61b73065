"""What tests of every layer share, with nothing above core: the test site's origin and page,
and a JSON POST through Django's client. Fixtures live in townhall/conftest.py."""

from __future__ import annotations

from typing import Any

from django.test import Client

ORIGIN = "https://blog.example"
PAGE = "https://blog.example/2016/09/article"


def post_json(client: Client, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(path, data=data, content_type="application/json", headers=headers)
