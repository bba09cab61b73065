"""Names that look alike have one skeleton; names that do not, do not."""

import pytest

from townhall.identity.names import name_clean, name_skeleton


@pytest.mark.parametrize("lookalike", [
    "Rudyl947", "RUDY1947", "Rudy 1947", "Rud\u0443I947", "Rudy\u200b1947", "Ｒｕｄｙ１９４７",
])
def test_lookalikes_share_the_skeleton(lookalike: str) -> None:
    assert name_skeleton(lookalike) == name_skeleton("Rudy1947")


def test_a_cyrillic_a_is_an_a() -> None:
    assert name_skeleton("Hind \u0410by\u0430d") == name_skeleton("hind abyad")


@pytest.mark.parametrize("other", ["Rudy1948", "Rudi1947", "Hind Abyad", ""])
def test_other_names_do_not(other: str) -> None:
    assert name_skeleton(other) != name_skeleton("Rudy1947")


def test_cleaning_drops_markup_controls_and_bidi() -> None:
    assert name_clean("<b>Ann</b>\u202e\x07  Lee\n") == "Ann Lee"
    assert len(name_clean("x" * 300)) == 100
