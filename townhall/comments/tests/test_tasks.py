from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from townhall.comments.models import Comment, Site
from townhall.comments.services import comment_ips_truncate
from townhall.comments.tests.factories import make_comment


@pytest.mark.django_db
def test_addresses_are_truncated_after_retention(site: Site, settings: Any) -> None:
    settings.IP_RETENTION_DAYS = 30
    old = make_comment(site, ip="203.0.113.77")
    new = make_comment(site, ip="198.51.100.9")
    Comment.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    assert comment_ips_truncate() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip == "203.0.113.0" and old.ip_truncated
    assert new.ip == "198.51.100.9" and not new.ip_truncated
    assert comment_ips_truncate() == 0
