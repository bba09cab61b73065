"""The translation catalogs: every message translated in every language with its placeholders
intact, and the files built from them (the widget's JSON, the compiled .mo) in step with them.
When a test here fails after a text changed: run `townhall catalogs`, translate, run it again."""

from __future__ import annotations

import json

import polib
import pytest

from townhall.widget import catalogs

LANGS = catalogs.languages()


def test_the_configured_languages_have_catalogs() -> None:
    assert set(LANGS) == {"fr", "de", "es", "ar"}


@pytest.mark.parametrize("domain", ["django", "widget"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_its_placeholders(lang: str, domain: str) -> None:
    po = polib.pofile(str(catalogs.po_path(lang, domain)))
    assert len(po) > 80
    assert catalogs.problems(po, widget=domain == "widget") == []


def test_a_lost_or_invented_placeholder_is_reported() -> None:
    po = polib.POFile()
    po.metadata = {"Plural-Forms": catalogs.PLURALS["ar"][0]}
    po.append(polib.POEntry(msgid="Reply to {name}", msgstr="الرد"))
    po.append(polib.POEntry(msgid="Score %(n)s", msgstr="Score %(count)s"))
    po.append(polib.POEntry(msgid="Untranslated", msgstr=""))
    plural = polib.POEntry(msgid="1 comment", msgid_plural="{n} comments")
    # Forms 0-2 name one number each (0, 1, 2) and may leave the count out; "few" may not.
    plural.msgstr_plural = {0: "لا توجد تعليقات", 1: "تعليق واحد", 2: "تعليقان", 3: "تعليقات", 4: "{n} تعليقًا", 5: "{n} تعليق"}
    po.append(plural)
    found = " | ".join(catalogs.problems(po, widget=True)) + " | " + " | ".join(catalogs.problems(po, widget=False))
    assert "'Reply to {name}': placeholders [], expected ['{name}']" in found
    assert "'Untranslated': not translated" in found
    assert "form 3 has placeholders [], expected ['{n}']" in found
    assert "form 0" not in found and "form 1 " not in found and "form 2 " not in found
    assert "'Score %(n)s': placeholders ['%(count)s'], expected ['%(n)s']" in found


def test_the_widget_table_is_read_from_embed_js() -> None:
    table = catalogs.widget_strings()
    assert table["comments"] == {"zero": "No comments yet", "one": "1 comment", "other": "{n} comments"}
    assert table["reasons"]["off_topic"] == "Off topic"
    messages = {m.key: m for m in catalogs.widget_messages(table)}
    assert messages["comments"].plural == "{n} comments"
    assert messages["comments.zero"].msgid == "No comments yet"
    assert messages["sorts.top"].msgid == "Best first"
    # Quotes, backslashes and trailing commas as JavaScript writes them.
    source = "const STRINGS = {\n    a: 'it\\'s',\n    b: { one: '1 x', other: '{n} xs', },\n  };"
    assert catalogs.widget_strings(source) == {"a": "it's", "b": {"one": "1 x", "other": "{n} xs"}}
    # The on-demand modules' tables, one group each: a module file at the top level, strings
    # joined with +, numbered keys.
    assert table["account"]["signOut"] == "Sign out" and table["live"]["newerThread"]
    assert table["extras"]["convHeat"]["0"] == "Calm" and table["followForm"]["send"] == "Follow"
    assert messages["extras.span.days"].plural == "{n} days"
    module = "const STRINGS = {\n  a: 'one ' +\n    'two',\n  b: { 0: 'zero' },\n};"
    assert catalogs.widget_strings(module) == {"a": "one two", "b": {"0": "zero"}}


@pytest.mark.parametrize("lang", LANGS)
def test_the_built_catalogs_are_in_step_with_the_po_files(lang: str) -> None:
    table = catalogs.widget_strings()
    po = polib.pofile(str(catalogs.po_path(lang, "widget")))
    # Every string of embed.js has its entry: none added to the widget without a translation.
    assert {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in po} == {
        (m.key, m.msgid, m.plural) for m in catalogs.widget_messages(table)}
    shipped = (catalogs.JSON_DIR / f"{lang}.json").read_text(encoding="utf-8")
    assert shipped == catalogs.json_text(catalogs.widget_json(lang, po, table))
    catalog = json.loads(shipped)
    assert catalog["dir"] == ("rtl" if lang == "ar" else "ltr")
    assert set(catalog["comments"]) >= set(catalogs.PLURALS[lang][1])

    server = polib.pofile(str(catalogs.po_path(lang, "django")))
    compiled = polib.mofile(str(catalogs.po_path(lang, "django").with_suffix(".mo")))
    key = lambda e: (e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))  # noqa: E731
    assert {key(e) for e in compiled if e.msgid} == {key(e) for e in server.translated_entries()}
