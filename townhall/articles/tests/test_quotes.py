"""The quote check's text work: which passages count as quotes, and what matches."""

from __future__ import annotations

from townhall.articles.quotes import extract_quotes, find, reduce

ARTICLE = (
    "The Islamic State began carrying out mass arrests after the group began its graffiti campaign.\n\n"
    "“Daesh is weaker in Mosul, but it is using methods of oppression like random arrests to try and show "
    "it is still in control,” said a representative of Kitaeb al-Mosul."
)


def test_quotes_of_every_common_kind_of_at_least_eight_words() -> None:
    text = (
        "He wrote “one two three four five six seven eight” and „eins zwei drei vier fünf sechs sieben acht“ "
        "and «un deux trois quatre cinq six sept huit» and \"a b c d e f g h\" and "
        "'alpha beta gamma delta epsilon zeta eta theta' but not “too short to count here”.\n\n"
        "> a block quote of nine words across\n> two lines of it\n\nthe end"
    )
    assert extract_quotes(text) == [
        "one two three four five six seven eight",
        "eins zwei drei vier fünf sechs sieben acht",
        "un deux trois quatre cinq six sept huit",
        "a b c d e f g h",
        "alpha beta gamma delta epsilon zeta eta theta",
        "a block quote of nine words across\ntwo lines of it",
    ]


def test_apostrophes_are_not_quotes_and_nested_quotes_stay_whole() -> None:
    # "don't ... isn't": apostrophes, not a quotation; the outer curly quote keeps its inner one.
    assert extract_quotes("I don't think the general's words, as quoted, isn't what he said at all today") == []
    nested = "“Israel’s policy in Syria “is very complicated and sensitive,” Ya’alon said at the conference”"
    assert extract_quotes(nested) == [nested[1:-1]]


def test_a_quote_is_found_however_its_punctuation_and_case_differ_and_gives_the_articles_words() -> None:
    article = reduce(ARTICLE)
    found = find("daesh is weaker in mosul but it is using METHODS of oppression...", article)
    assert found is not None and found.score >= 95
    assert ARTICLE[found.start : found.end] == "Daesh is weaker in Mosul, but it is using methods of oppression"
    edited = find("Daesh is weaker in Mosul but is using methods of opression like random arrest", article)
    assert edited is not None
    assert find("Daesh is stronger than ever in Mosul and uses kindness to win hearts", article) is None
