"""Hostility thresholds: the model's calibrated defaults unless a site sets its own; after a
model change the site keeps or resets its own explicitly."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from townhall.comments.models import Site
from townhall.core.errors import ValidationFailed
from townhall.moderation.ml import hostility_model
from townhall.moderation.selectors import policy_for, thresholds_for
from townhall.moderation.services import policy_thresholds_settle, policy_update

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderation", *args, stdout=out)
    return out.getvalue()


def test_a_new_site_uses_the_models_thresholds(site: Site) -> None:
    limits = thresholds_for(policy_for(site))
    model = hostility_model()
    assert (limits.warn, limits.hold, limits.flamewar) == (model.warn, model.hold, model.flamewar)
    assert not limits.own and not limits.stale


def test_a_sites_own_threshold_overrides_and_remembers_the_model(site: Site) -> None:
    policy = policy_update(site=site, toxicity_hold=0.97)
    limits = thresholds_for(policy)
    assert limits.hold == 0.97 and limits.warn == hostility_model().warn and limits.own
    assert policy.thresholds_model == hostility_model().version
    with pytest.raises(ValidationFailed) as exc:
        policy_update(site=site, toxicity_warn=0.99)
    assert [e.field for e in exc.value.errors] == ["toxicity_warn"]


def test_after_a_model_change_the_site_keeps_or_resets_explicitly(site: Site, monkeypatch: Any) -> None:
    policy_update(site=site, toxicity_warn=0.9, toxicity_hold=0.97)
    monkeypatch.setattr(hostility_model(), "version", "newer-model")
    assert thresholds_for(policy_for(site)).stale
    assert "another version of the hostility model" in run("thresholds", "--site", site.slug)
    out = run("thresholds", "--site", site.slug, "--keep")
    assert "warn 0.900, hold 0.970" in out and "another version" not in out
    assert not thresholds_for(policy_for(Site.objects.get(pk=site.pk))).stale
    policy = policy_thresholds_settle(site=site, keep=False)
    limits = thresholds_for(policy)
    assert not limits.own and limits.hold == hostility_model().hold
    assert policy.toxicity_warn is None and policy.thresholds_model == ""


def test_thresholds_must_be_numbers_between_0_and_1(site: Site) -> None:
    for bad in (1.5, -0.1, "0.5", True):
        with pytest.raises(ValidationFailed):
            policy_update(site=site, toxicity_hold=bad)
