"""Language identification (py3langid, no network, no Django)."""

import pytest

from townhall.moderation.ml import detect_language, is_confidently_not


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Je pense que cet article est très mal écrit et plein d'erreurs.", "fr"),
        ("No estoy de acuerdo con lo que dice el artículo sobre la ciudad.", "es"),
        ("The council approved the new budget after a long debate.", "en"),
    ],
)
def test_detect_language(text, lang):
    code, prob = detect_language(text)
    assert code == lang
    assert 0.0 <= prob <= 1.0


def test_confidently_not_english_flags_french_and_spanish():
    allowed = {"en"}
    assert (
        is_confidently_not("Je pense que cet article est très mal écrit et plein d'erreurs.", allowed) == "fr"
    )
    assert (
        is_confidently_not("No estoy de acuerdo con lo que dice el artículo sobre la ciudad.", allowed)
        == "es"
    )
    assert is_confidently_not("Je pense que cet article est très mal écrit.", {"en", "fr"}) is None


@pytest.mark.parametrize(
    "text", ["merci", "¡Hola!", "ok", "mange le marde", "zzzzzzzzzzz", "", "   ", "1234 5678"]
)
def test_short_text_is_never_flagged(text):
    assert is_confidently_not(text, {"en"}) is None


def test_english_is_not_flagged():
    for text in [
        "We each do our best in an English-Only weblog (read rules - sometimes overlooked)",
        "Tom was my roommate when we both lived in Algeria.",
        "Supply the link to the ACTUAL quote. http://example.com/some/long/path/that/is/not/english",
    ]:
        assert is_confidently_not(text, {"en"}) is None


def test_detect_language_empty():
    assert detect_language("") == ("und", 0.0)


def test_a_long_comment_is_judged_by_its_first_thousand_characters():
    english = "The council approved the new budget after a long debate about the bridge. " * 16
    french = "Je pense que cet article est très mal écrit et plein d'erreurs. " * 60
    assert len(english) > 1000
    assert detect_language(english + french)[0] == "en"
    assert is_confidently_not(french[:900] + english * 4, {"en"}) == "fr"
