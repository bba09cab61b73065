"""Names and short fields as stored: what a reader sees is what there is (issue 14: right-to-left
overrides and invisible characters made names read as someone else's)."""

import pytest

from townhall.core.text import name_clean, short_text_clean


@pytest.mark.parametrize("raw,clean,removed", [
    ("Ann", "Ann", False),
    ("  Ann   Smith ", "Ann Smith", False),
    ("Ann\u202egnp.exe", "Anngnp.exe", True),  # right-to-left override
    ("\u2067Ann\u2069", "Ann", True),  # isolate
    ("A\u200bn\u200cn\u200d", "Ann", True),  # zero-width space, non-joiner, joiner
    ("Ann\u2060\ufeff\u00ad", "Ann", True),  # word joiner, BOM, soft hyphen
    ("\uff21\uff4e\uff4e", "Ann", False),  # full-width letters: NFKC
    ("\U0001d400\U0001d427\U0001d427", "Ann", False),  # mathematical bold
    ("Ann\x07\x1b[31m", "Ann[31m", True),  # controls
    ("Ann\nSmith", "Ann Smith", False),
    ("\u3164\u115f\u2800", "", True),  # blank-looking letters only
    ("\u200b\u200b", "", True),
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467", False),  # a family
    ("Zoë", "Zoë", False),
    ("\u05d3\u05e0\u05d4", "\u05d3\u05e0\u05d4", False),  # Hebrew stays as it is
    ("Ann\U000e0041", "Ann", True),  # tag character
])
def test_name_clean(raw: str, clean: str, removed: bool) -> None:
    assert name_clean(raw) == (clean, removed)


def test_short_text_keeps_compatibility_characters() -> None:
    assert short_text_clean("x\u00b2 \u202eon\u202c") == ("x\u00b2 on", True)
