"""Background work for identities: each task loads, checks it still applies, does one thing."""

from __future__ import annotations

from django_tasks import task

from townhall.identity.avatars import avatar_store
from townhall.identity.models import Identity


@task()
def fetch_avatar(identity_id: int, url: str) -> bool:
    """Fetch a signed-in reader's picture once, off the request."""
    identity = Identity.objects.filter(pk=identity_id).first()
    return identity is not None and avatar_store(identity=identity, url=url) is not None
