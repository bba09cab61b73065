"""Reader mail, and the pages its links open, speak the site's language (its `language`
setting), whatever language the worker or the reader's browser runs in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from townhall.comments.models import Site
from townhall.comments.services import site_update
from townhall.core.testing import PAGE
from townhall.notifications.services import alert_preference_save
from townhall.notifications.tests.conftest import Handler, Worker, make_moderator
from townhall.notifications.tests.helpers import ANN, BOB, batch_window, confirmed, post

pytestmark = pytest.mark.django_db

# Per language: the confirmation's subject, the reply's subject, a line of the reply's body, and
# the title of the page its unsubscribe link opens.
EXPECTED = {
    "fr": ("Confirmez votre adresse e-mail pour A blog", f"Bob a répondu à votre commentaire sur {PAGE}",
           "Ne plus recevoir d’e-mails sur cet article :", "<title>Se désabonner · Townhall</title>"),
    "de": ("Bestätigen Sie Ihre E-Mail-Adresse für A blog", f"{PAGE}: Bob hat auf Ihren Kommentar geantwortet",
           "Keine E-Mails mehr zu diesem Artikel:", "<title>Abbestellen · Townhall</title>"),
    "en": ("Confirm your email address for A blog", f"Bob replied to your comment on {PAGE}",
           "Stop mail about this article:", "<title>Unsubscribe · Townhall</title>"),
}


@pytest.mark.parametrize("lang", EXPECTED)
def test_a_reply_mail_is_in_the_sites_language(lang: str, site: Site, smtp: Handler, worker: Worker) -> None:
    confirm_subject, subject, line, page_title = EXPECTED[lang]
    site_update(site=site, language=lang)
    first = post(site, "A first comment worth answering.", name="Ann", email=ANN, notify=True)
    worker.run()
    [confirm] = smtp.to(ANN)
    assert str(confirm.message["Subject"]).strip() == confirm_subject  # a long encoded header may fold
    # A reader whose browser asks for English still gets the site's language.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post(confirm.path("/mail/confirm/")).status_code == 200

    post(site, "I see it differently, for two reasons.", name="Bob", email=BOB, parent=first)
    worker.run(later=timedelta(seconds=batch_window()))
    mail = smtp.to(ANN)[-1]
    assert str(mail.message["Subject"]).strip() == subject
    assert line in mail.text and "for two reasons" in mail.text
    assert f'<html lang="{lang}" dir="ltr">' in mail.html
    link = re.search(re.escape(line) + r" (http://testserver\S+)", mail.text)
    assert link is not None
    page = client.get(link.group(1).removeprefix("http://testserver")).content.decode()
    assert page_title in page and f'<html lang="{lang}"' in page


def test_a_moderators_alert_is_in_the_sites_language(site: Site, smtp: Handler, worker: Worker) -> None:
    moderator = make_moderator(site, "mod", "mod@staff.example")
    confirmed(site, "mod@staff.example")
    alert_preference_save(user=moderator, site=site, mode="immediate", by_mail=True, held=True)
    site_update(site=site, language="de", premoderate=True)
    post(site, "Bitte diesen Kommentar zum Haushalt freigeben.", name="Ann")
    worker.run()
    [alert] = smtp.to("mod@staff.example")
    assert str(alert.message["Subject"]).strip() == f"[A blog] Zurückgehalten zu {PAGE}"
    assert "Von Ann" in alert.text and "zum Haushalt" in alert.text
    assert "Freigeben: http" in alert.text and "Diese Benachrichtigungen beenden:" in alert.text
    assert "Held on" not in alert.text and "Approve" not in alert.text and "By Ann" not in alert.text
    assert '<html lang="de" dir="ltr">' in alert.html
