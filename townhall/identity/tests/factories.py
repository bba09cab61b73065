"""Sign-in tokens as a site's server would sign them, for tests of every layer above identity."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from townhall.comments.models import Site
from townhall.comments.services import site_sso_secret_rotate


def sso_secret(site: Site) -> str:
    """The site's sign-in key, made on first use (as `townhall site sso SLUG` does)."""
    site.refresh_from_db(fields=["sso_secret"])
    return site.sso_secret or site_sso_secret_rotate(site=site)


def sso_token(site: Site, *, key: str | None = None, lifetime: int = 300, **claims: Any) -> str:
    """A sign-in token for `site`: sub, name, aud, exp and a fresh jti unless `claims` say otherwise
    (a claim set to None is left out)."""
    body: dict[str, Any] = {
        "sub": "u-1", "name": "Rudy1947", "aud": site.slug, "exp": int(time.time()) + lifetime,
        "jti": secrets.token_hex(8),
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key or sso_secret(site), algorithm="HS256")
