"""A worker loads the language model at start only where some site restricts languages: it is
68 MB in every worker, and most sites accept every language."""

from __future__ import annotations

import pytest

from townhall.comments.models import Site
from townhall.moderation import ml
from townhall.moderation.selectors import languages_restricted
from townhall.moderation.services import policy_update


def test_only_a_site_that_restricts_languages_needs_the_language_model(site: Site) -> None:
    assert not languages_restricted()
    policy_update(site=site, languages=["en", "fr"])
    assert languages_restricted()
    policy_update(site=site, languages=[])
    assert not languages_restricted()


@pytest.mark.parametrize("languages", [False, True])
def test_warm_up_loads_the_language_model_only_when_asked(monkeypatch: pytest.MonkeyPatch, languages: bool) -> None:
    detected: list[str] = []

    def detect(text: str) -> tuple[str, float]:
        detected.append(text)
        return "en", 1.0

    monkeypatch.setattr(ml, "detect_language", detect)
    ml.warm_up(languages=languages)
    assert bool(detected) is languages
