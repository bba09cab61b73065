"""The translation catalogs: gettext .po files under townhall/locale, one set per language.

Two domains per language: `django` (templates, Python, emails; extracted by Django's
makemessages, compiled to .mo) and `widget` (the STRINGS table of embed.js, extracted here, one
entry per key with the key as msgctxt). The widget reads neither: `townhall catalogs` writes one
JSON catalog per language beside embed.js (static/townhall/i18n/LANG.json), which the widget
fetches only for a language other than English. A developer tool: it needs polib (dev extra)
and, for the server side, GNU gettext's xgettext and msgmerge.
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
STATIC = ROOT / "widget" / "static" / "townhall"
EMBED_JS = STATIC / "embed.js"
# The modules embed.js loads on demand, each with its own STRINGS table: in the JSON catalog
# their translations are one group each, under this key, which the module reads from embed.js's S.
MODULES = {"account": "account.js", "extras": "extras.js", "followForm": "follow.js", "live": "live.js"}
JSON_DIR = STATIC / "i18n"
SOURCE_LANGUAGE = "en"

# The widget picks a form with Intl.PluralRules, which names CLDR categories; gettext numbers
# the forms. Per language: the Plural-Forms header and the category of each form, in order.
PLURALS: dict[str, tuple[str, list[str]]] = {
    "fr": ("nplurals=2; plural=(n > 1);", ["one", "other"]),
    "de": ("nplurals=2; plural=(n != 1);", ["one", "other"]),
    "es": ("nplurals=2; plural=(n != 1);", ["one", "other"]),
    "ar": ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
           ["zero", "one", "two", "few", "many", "other"]),
}
CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def languages() -> list[str]:
    """The languages that have catalogs: every configured one but English, the source."""
    return [code for code, _ in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def po_path(lang: str, domain: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


# ---------------------------------------------------------------------------- the widget's table

def widget_strings(source: str | None = None) -> dict[str, Any]:
    """The STRINGS table of embed.js, with each on-demand module's table as a group (MODULES);
    or, given `source`, that one script's table."""
    if source is None:
        table = widget_strings(EMBED_JS.read_text(encoding="utf-8"))
        for group, name in MODULES.items():
            table[group] = widget_strings((STATIC / name).read_text(encoding="utf-8"))
        return table
    return _table(source)


def _table(text: str) -> dict[str, Any]:
    """A `const STRINGS = {...};` object literal read as data (keys, quoted strings joined with
    +, nested objects, trailing commas: the only syntax the tables use)."""
    match = re.search(r"const STRINGS = (\{.*?\n *\});", text, re.S)
    if match is None:
        raise ValueError("no `const STRINGS = {...};` table")
    literal = re.sub(r"'\s*\+\s*'", "", match.group(1))
    strings: list[str] = []

    def keep(m: re.Match[str]) -> str:
        strings.append(re.sub(r"\\(.)", r"\1", m.group(1)))
        return f'"\x00{len(strings) - 1}"'

    literal = re.sub(r"'((?:[^'\\\n]|\\.)*)'", keep, literal)
    literal = re.sub(r"//[^\n]*", "", literal)
    literal = re.sub(r"([{,]\s*)(\w+)\s*:", r'\1"\2":', literal)
    literal = re.sub(r",(\s*})", r"\1", literal)
    literal = re.sub(r'"\x00(\d+)"', lambda m: json.dumps(strings[int(m.group(1))]), literal)
    data: dict[str, Any] = json.loads(literal)
    return data


@dataclass(frozen=True)
class Message:
    key: str  # "reasons.spam"; a plural's key names the object ("comments")
    msgid: str
    plural: str | None = None


def widget_messages(table: dict[str, Any], prefix: str = "") -> Iterator[Message]:
    """One message per string of the table; an object of plural categories is one plural
    message (its `one` and `other`), plus its `zero` (a sentence of its own, "No comments yet")."""
    for name, value in table.items():
        key = prefix + name
        if isinstance(value, str):
            yield Message(key, value)
        elif set(value) <= CATEGORIES:
            if "zero" in value:
                yield Message(key + ".zero", value["zero"])
            yield Message(key, value["one"], value["other"])
        else:
            yield from widget_messages(value, key + ".")


def _metadata(lang: str) -> dict[str, str]:
    return {
        "Project-Id-Version": "Townhall widget",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURALS[lang][0],
    }


def server_po_tidy(po: polib.POFile, lang: str) -> None:
    """The header makemessages leaves, filled in once; nothing that changes from run to run."""
    if po.header.startswith("SOME DESCRIPTIVE TITLE"):
        po.header = f"Townhall's messages in {translation.get_language_info(lang)['name']}."
    defaults = {"Project-Id-Version": "Townhall", "Language": lang, "Language-Team": lang,
                "Last-Translator": "not yet reviewed by a native speaker", "PO-Revision-Date": ""}
    for key, value in defaults.items():
        if not po.metadata.get(key) or any(w in po.metadata[key] for w in ("PACKAGE", "YEAR", "FULL NAME", "LANGUAGE")):
            po.metadata[key] = value
    po.metadata.pop("POT-Creation-Date", None)
    po.metadata.pop("Report-Msgid-Bugs-To", None)
    po.metadata_is_fuzzy = False
    fit_plurals(po)


def widget_po_update(lang: str, table: dict[str, Any]) -> tuple[polib.POFile, int]:
    """The language's widget.po with one entry per message of the table, translations kept
    where the English text is unchanged; entries for removed keys are dropped. Returns the
    file and how many of its entries still need a translation."""
    path = po_path(lang, "widget")
    before_file = polib.pofile(str(path)) if path.exists() else polib.POFile()
    old = {(e.msgctxt, e.msgid, e.msgid_plural or None): e for e in before_file}
    po = polib.POFile(wrapwidth=0)
    po.header = (f"The widget's messages in {translation.get_language_info(lang)['name']}: the STRINGS table of "
                 "embed.js, one entry per key (msgctxt). Written by `townhall catalogs`; translate msgstr only.")
    # A reviewer's name in Last-Translator stays; the rest is Townhall's.
    po.metadata = {"Last-Translator": "not yet reviewed by a native speaker", **before_file.metadata, **_metadata(lang)}
    nplurals = len(PLURALS[lang][1])
    missing = 0
    for m in widget_messages(table):
        before = old.get((m.key, m.msgid, m.plural))
        entry = polib.POEntry(msgctxt=m.key, msgid=m.msgid, flags=["python-brace-format"] if "{" in m.msgid else [])
        if m.plural is not None:
            entry.msgid_plural = m.plural
            forms = before.msgstr_plural if before else {}
            entry.msgstr_plural = {i: forms.get(i, "") for i in range(nplurals)}
            missing += not all(entry.msgstr_plural.values())
        else:
            entry.msgstr = before.msgstr if before else ""
            missing += not entry.msgstr
        po.append(entry)
    return po, missing


def widget_json(lang: str, po: polib.POFile, table: dict[str, Any]) -> dict[str, Any]:
    """The JSON catalog: the shape of STRINGS, translated. Untranslated strings keep their
    English (a group replaces the widget's whole group, so it must be complete); a plural
    becomes {category: text} in the language's CLDR categories. `dir` is the direction."""
    found = {e.msgctxt: e for e in po if not e.obsolete and "fuzzy" not in e.flags}
    categories = PLURALS[lang][1]

    def build(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in node.items():
            key = prefix + name
            entry = found.get(key)
            if isinstance(value, str):
                out[name] = entry.msgstr if entry and entry.msgstr else value
            elif set(value) <= CATEGORIES:
                forms = entry.msgstr_plural if entry else {}
                out[name] = {cat: forms.get(i) or value.get(cat) or value["other"] for i, cat in enumerate(categories)}
                zero = found.get(key + ".zero")
                if "zero" in value:
                    out[name]["zero"] = zero.msgstr if zero and zero.msgstr else value["zero"]
            else:
                out[name] = build(value, key + ".")
        return out

    catalog = build(table, "")
    catalog["dir"] = "rtl" if translation.get_language_info(lang)["bidi"] else "ltr"
    return catalog


def json_text(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


# ---------------------------------------------------------------------------- checks

PYTHON_FORMAT = re.compile(r"%\((\w+)\)[sd]|%[sd]")
BRACES = re.compile(r"\{(\w+)\}")


def placeholders(text: str, *, widget: bool) -> list[str]:
    """The placeholders of a message, in a form comparable across languages: the widget's
    {name}; on the server Python's %(name)s, and {name} in texts the moderation script fills."""
    braces = sorted("{" + name + "}" for name in BRACES.findall(text))
    if widget:
        return braces
    return sorted(m.group(0) for m in PYTHON_FORMAT.finditer(text.replace("%%", ""))) + braces


def _plural_rule(po: polib.POFile) -> Callable[[int], int]:
    expr = po.metadata.get("Plural-Forms", "nplurals=2; plural=(n != 1);").split("plural=", 1)[1].rstrip("; ")
    return gettext.c2py(expr)


def fit_plurals(po: polib.POFile) -> None:
    """Give every plural entry as many forms as the language has: a new catalog starts with
    two whatever its Plural-Forms header says."""
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", "nplurals=2")).group(1))  # type: ignore[union-attr]
    for e in po:
        if e.msgid_plural:
            e.msgstr_plural = {i: e.msgstr_plural.get(i, "") for i in range(nplurals)}


def problems(po: polib.POFile, *, widget: bool) -> list[str]:
    """What is wrong with a language's catalog: a message without a translation (or only a
    fuzzy one), or a translation whose placeholders differ from the English. A plural form
    used for one number only ("one" in English) may leave the count out; the others may not."""
    out: list[str] = []
    rule = _plural_rule(po)
    shared: dict[int, int] = {}
    for n in range(1000):
        shared[rule(n)] = shared.get(rule(n), 0) + 1
    for e in po:
        if e.obsolete or not e.msgid:
            continue
        name = f"{e.msgctxt + ': ' if e.msgctxt else ''}{e.msgid!r}"
        if "fuzzy" in e.flags:
            out.append(f"{name}: fuzzy (the English changed; check the translation)")
            continue
        if e.msgid_plural:
            full = placeholders(e.msgid_plural, widget=widget)
            allowed = set(full) | set(placeholders(e.msgid, widget=widget))
            for i, text in sorted(e.msgstr_plural.items()):
                have = placeholders(text, widget=widget)
                if not text:
                    out.append(f"{name}: form {i} not translated")
                elif not set(have) <= allowed or (shared.get(int(i), 0) > 1 and have != full):
                    out.append(f"{name}: form {i} has placeholders {have}, expected {full}")
        elif not e.msgstr:
            out.append(f"{name}: not translated")
        elif placeholders(e.msgstr, widget=widget) != placeholders(e.msgid, widget=widget):
            out.append(f"{name}: placeholders {placeholders(e.msgstr, widget=widget)}, "
                       f"expected {placeholders(e.msgid, widget=widget)}")
    return out
