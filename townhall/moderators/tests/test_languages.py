"""The moderation pages speak the moderator's language (their browser's Accept-Language)."""

from __future__ import annotations

import pytest
from django.test import Client

from townhall.comments.models import Site
from townhall.moderators.tests.conftest import People, held, signed_in

pytestmark = pytest.mark.django_db


def test_the_queue_renders_in_french_for_a_french_browser(site: Site, people: People) -> None:
    held(site, author_name="", text="Un commentaire retenu.")
    client = signed_in(people.moderator)
    html = client.get("/moderate/queue/pending/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "<h1>En attente</h1>" in html
    assert "Approuver la sélection" in html
    assert 'data-key="a" class="approve">Approuver <kbd>a</kbd>' in html
    assert "en attente de modération" in html and "anonyme" in html
    assert "Raccourcis clavier" in html
    # The pipeline's reasons, and what the moderation script says, in French too.
    assert "relit chaque commentaire avant de le publier" in html
    assert 'data-t-ban="Appuyez encore pour bannir pour {days}"' in html
    assert "Approve" not in html and "Keyboard shortcuts" not in html
    # The same page for an English browser is unchanged.
    english = client.get("/moderate/queue/pending/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Pending</h1>" in english and "Approve selected" in english


def test_the_arabic_sign_in_page_reads_right_to_left(client: Client) -> None:
    html = client.get("/moderate/login/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "سجّل الدخول للإشراف" in html


def test_the_thread_health_chart_and_its_page_in_french(site: Site, people: People) -> None:
    comment = held(site, author_name="Ann", text="Un commentaire retenu.")
    html = signed_in(people.moderator).get(f"/moderate/threads/{comment.thread_id}/health/",
                                           HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Santé du fil" in html and "1 commentaire · 1 participant · 100 % en attente de modération" in html
    assert ">commentaires</text>" in html and ">hostilité</text>" in html and "hostilité moyenne" in html
    assert "participants les plus actifs (1 sur 1)" in html and "Afficher les conversations" in html
    assert "Health of thread" not in html and "awaiting moderation" not in html and "most active" not in html


def test_the_sites_policy_and_the_sanction_labels_in_german(site: Site, people: People) -> None:
    client = signed_in(people.admin)
    sites = client.get("/moderate/sites/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "jeden neuen Kommentar für Moderatoren zurückhalten" in sites
    assert "<dd>nein <span" in sites and "<dd>(keine) <span" in sites
    assert "hold every new comment for a moderator" not in sites
    assert "<dt>Vorab moderieren</dt>" in sites and "<dt>Anmeldung erforderlich</dt>" in sites  # the labels too
    assert "<dt>Premoderate</dt>" not in sites
    sanctions = client.get(f"/moderate/sites/{site.slug}/sanctions/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "IP-Bereich" in sanctions and "Leser-Token" in sanctions
    assert "eine Warnung zeigen, die vor dem nächsten Beitrag bestätigt werden muss" in sanctions
    assert "Ip Range" not in sanctions and "refuse their comments" not in sanctions
