"""The no-JavaScript pages in the reader's language: the page's ?lang= (its noscript link may
carry it), else the site's language setting."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from townhall.comments.models import Site
from townhall.comments.services import site_update
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import ValidationFailed
from townhall.core.testing import ORIGIN, PAGE, post_json

pytestmark = pytest.mark.django_db


def thread_page(client: Client, **extra: str) -> str:
    response = client.get("/embed/thread?" + urlencode({"site": "blog", "url": PAGE, **extra}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_french_page_reads_in_french_and_its_links_stay_french(client: Client, site: Site) -> None:
    site_update(site=site, page_size=1)
    first = make_comment(site, text="Premier.")
    make_comment(site, parent=first, text="Une réponse.")
    make_comment(site, text="Deuxième.")
    html = thread_page(client, lang="fr-CA")
    assert '<html lang="fr" dir="ltr">' in html
    assert '<h1 class="th-count">3 commentaires</h1>' in html
    assert "Activez JavaScript sur la page de l’article pour répondre et voter." in html
    assert "Enable JavaScript" not in html
    assert ">les plus anciens</strong>" in html  # the current sort, by its French name
    assert ">Autres commentaires</a>" in html
    # The next page and the other sorts are French too.
    links = re.findall(r'href="(/embed/thread\?[^"]+)"', html)
    assert links and all("lang=fr-CA" in link for link in links)
    page2 = client.get(next(link for link in links if "cursor=" in link).replace("&amp;", "&")).content.decode()
    assert "Première page" in page2
    assert "Comments" not in page2


def test_the_site_language_applies_when_the_page_names_none(client: Client, site: Site) -> None:
    site_update(site=site, language="ar")
    make_comment(site, text="Hello from an English reader.")
    html = thread_page(client)
    assert '<html lang="ar" dir="rtl">' in html
    assert "تعليق واحد" in html  # the count, in Arabic's "one" form
    # The comment's own text keeps its own direction inside the right-to-left page.
    assert '<div class="th-body" dir="auto"><p>Hello from an English reader.</p>' in html
    # A page that names a language wins over the site's; one without a catalog does not.
    assert '<html lang="de" dir="ltr">' in thread_page(client, lang="de")
    assert '<html lang="ar" dir="rtl">' in thread_page(client, lang="it")


def test_a_language_outside_the_choices_is_refused_for_the_site(site: Site) -> None:
    with pytest.raises(ValidationFailed) as exc:
        site_update(site=site, language="tlh")
    assert exc.value.errors[0].field == "language"


def test_the_widget_catalog_is_served_to_other_origins_and_errors_speak_its_language(client: Client, site: Site) -> None:
    # The widget runs on the news site's pages: its catalog is a cross-origin fetch.
    response = client.get("/static/townhall/i18n/fr.json", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert b'"dir":"ltr"' in b"".join(response.streaming_content)  # type: ignore[attr-defined]
    # The widget asks in its language (Accept-Language); field errors come back in it.
    site_update(site=site, require_name=True)
    body = {"site": "blog", "url": PAGE, "text": " ", "author_name": ""}
    french = post_json(client, "/api/v1/comments", body, Origin=ORIGIN, **{"Accept-Language": "fr"}).json()
    assert {e["field"]: e["message"] for e in french["errors"]} == {
        "text": "est obligatoire", "author_name": "est obligatoire sur ce site"}
    english = post_json(client, "/api/v1/comments", body, Origin=ORIGIN).json()
    assert {e["field"]: e["message"] for e in english["errors"]} == {
        "text": "is required", "author_name": "is required on this site"}
