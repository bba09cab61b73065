"""A policy edited in the admin goes through policy_update: its checks hold there too."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.forms.models import model_to_dict
from django.test import Client

from townhall.comments.models import Site
from townhall.moderation.ml import hostility_model
from townhall.moderation.models import Policy
from townhall.moderation.selectors import policy_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-test-only"))
    return client


def form_data(policy: Policy, **changes: Any) -> dict[str, Any]:
    data = {k: v for k, v in model_to_dict(policy).items() if k not in {"id", "site", "thresholds_model", "site_model"}}
    for key in ("banned_words", "suspect_words", "link_allow", "link_deny", "languages"):
        data[key] = "[]" if not data[key] else str(data[key]).replace("'", '"')
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["post_moderation"] = "on" if data["post_moderation"] else ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_admin_policy_edit_keeps_the_services_checks(site: Site, root: Client) -> None:
    policy = policy_for(site)
    url = f"/admin/moderation/policy/{policy.pk}/change/"
    bad = root.post(url, form_data(policy, toxicity_warn="0.9", toxicity_hold="0.5"))
    assert bad.status_code == 200 and "must not be above the hold threshold" in bad.content.decode()
    assert Policy.objects.get(pk=policy.pk).toxicity_warn is None
    out_of_range = root.post(url, form_data(policy, spam_hold="1.5"))
    assert "between 0 and 1" in out_of_range.content.decode()
    ok = root.post(url, form_data(policy, toxicity_warn="0.4", toxicity_hold="0.7"))
    assert ok.status_code == 302, ok.content.decode()[:2000]
    saved = Policy.objects.get(pk=policy.pk)
    assert (saved.toxicity_warn, saved.toxicity_hold) == (0.4, 0.7)
    # As policy_update does: the site's own thresholds are recorded against the model version.
    assert saved.thresholds_model == hostility_model().version
    assert root.get("/admin/moderation/policy/add/").status_code == 403
