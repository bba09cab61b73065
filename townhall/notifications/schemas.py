"""The public contract of following an article by mail."""

from __future__ import annotations

from ninja import Schema


class FollowIn(Schema):
    site: str
    url: str
    email: str
    title: str = ""


class FollowOut(Schema):
    # The same answer whether or not the address is confirmed: the API must not tell anyone
    # which addresses read this site.
    message: str
