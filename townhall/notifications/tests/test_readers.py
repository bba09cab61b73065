"""Reader mail through a real SMTP server: the confirmation first, then replies, follows,
outcomes and picks, batched per address, each with its unsubscribe links and headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import site_update
from townhall.core.testing import PAGE, post_json
from townhall.core.tokens import reader_id
from townhall.identity.selectors import email_address_get, email_is_confirmed
from townhall.identity.speakers import reader_key
from townhall.moderation.decisions import Verdict
from townhall.moderation.services import ban_create
from townhall.moderators.services import comment_decide, comment_set_featured
from townhall.notifications.models import AddressState, ThreadFollow
from townhall.notifications.tests.conftest import Handler, Received, Worker, make_moderator
from townhall.notifications.tests.helpers import ANN, BOB, CARL, FROM, batch_window, confirmed, post
from townhall.notifications.tokens import verp_read

pytestmark = pytest.mark.django_db


def only_theirs(mail: Received, recipient: str) -> None:
    """No address in the message but the recipient's, the sender's and the signed return path."""
    assert mail.rcpt_tos == [recipient]
    assert mail.addresses() <= {recipient, FROM, mail.mail_from.lower()}, mail.addresses()


def test_replies_wait_for_the_confirmation_then_arrive_in_one_batch(
    site: Site, smtp: Handler, worker: Worker, client: Client
) -> None:
    site_update(site=site, mail_sender_name="The Blog Desk")
    first = post(site, "A first comment worth answering.", name="Ann", email=ANN, notify=True)
    worker.run()
    [confirm] = smtp.to(ANN)
    assert confirm.message["Subject"] == "Confirm your email address for A blog"
    only_theirs(confirm, ANN)

    post(site, "An early reply that nobody is told about.", name="Bob", email=BOB, parent=first)
    worker.run(later=timedelta(seconds=batch_window()))
    assert len(smtp.to(ANN)) == 1, "nothing but the confirmation before it is followed"

    link = confirm.path("/mail/confirm/")
    page = client.get(link)
    assert page.status_code == 200 and b"Confirm my address" in page.content
    assert not email_is_confirmed(site=site, email=ANN), "opening the link (a mail scanner) confirms nothing"
    assert client.post(link).status_code == 200 and email_is_confirmed(site=site, email=ANN)

    bob = post(site, "I see it differently, for two reasons.", name="Bob", email=BOB, parent=first)
    carl = post(site, "Thanks, this helped me understand it.", name="Carl", email=CARL, parent=first)
    post(site, "Adding a note to my own comment here.", name="Ann", email=ANN, parent=first)
    worker.run()
    assert len(smtp.to(ANN)) == 1, "the batch window is still open"
    worker.run(later=timedelta(seconds=batch_window()))
    mails = smtp.to(ANN)
    assert len(mails) == 2
    mail = mails[-1]
    assert mail.message["Subject"] == "2 updates on https://blog.example/2016/09/article"
    assert "Bob replied to your comment" in mail.text and "Carl replied to your comment" in mail.text
    assert "for two reasons" in mail.text and "this helped me understand" in mail.html
    assert "my own comment" not in mail.text, "never for my own replies"
    assert f"{PAGE}#comment-{bob.pk}" in mail.text and f"{PAGE}#comment-{carl.pk}" in mail.html
    assert mail.message["From"] == f"The Blog Desk <{FROM}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(mail.message["List-Unsubscribe"]).strip().startswith("<http://testserver/mail/unsubscribe/")
    assert mail.message["Auto-Submitted"] == "auto-generated"
    address = email_address_get(site=site, email=ANN)
    assert address is not None and verp_read(mail.mail_from) == address.pk
    assert mail.mail_from.startswith("townhall+b") and mail.mail_from.endswith("@news.example")
    only_theirs(mail, ANN)

    assert client.post(mail.after("Stop all mail from The Blog Desk")).status_code == 200
    post(site, "A reply after Ann stopped all mail.", name="Bob", email=BOB, parent=first)
    worker.run(later=timedelta(seconds=batch_window()))
    assert len(smtp.to(ANN)) == 2
    forged = client.get(link[:-4] + "AAA/")
    assert forged.status_code == 400 and b"Nothing was changed: this link is not a link this server sent" in forged.content


def test_follow_an_article_and_unsubscribe_by_link_and_by_one_click_post(
    site: Site, smtp: Handler, worker: Worker, client: Client
) -> None:
    for email in (ANN, BOB):
        r = post_json(client, "/api/v1/follows", {"site": "blog", "url": PAGE + "?utm_source=x", "email": email})
        assert r.status_code == 202 and "confirm" in r.json()["message"]
    worker.run()
    for email in (ANN, BOB):
        [confirm] = smtp.to(email)
        assert client.post(confirm.path("/mail/confirm/")).status_code == 200

    post(site, "Carl's first thoughts on the article.", name="Carl", email=CARL)
    post(site, "Bob's own comment, which Bob is not told about.", name="Bob", email=BOB)
    worker.run(later=timedelta(seconds=batch_window()))
    [ann_mail] = smtp.to(ANN)[1:]
    [bob_mail] = smtp.to(BOB)[1:]
    assert "Carl commented" in ann_mail.text and "Bob commented" in ann_mail.text
    assert "Carl commented" in bob_mail.text and "Bob's own comment" not in bob_mail.text
    only_theirs(ann_mail, ANN)

    # Ann: the link in the text opens a page (nothing changes), its button unsubscribes.
    link = ann_mail.after("Stop mail about this article")
    page = client.get(link)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert ThreadFollow.objects.filter(address__digest=email_address_get(site=site, email=ANN).digest).exists()  # type: ignore[union-attr]
    assert client.post(link).status_code == 200
    # Bob: the mail client's RFC 8058 one-click POST to the List-Unsubscribe URL.
    header = str(bob_mail.message["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://testserver")
    r = client.post(header, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and b"no more mail about" in r.content
    assert not ThreadFollow.objects.exists()

    post(site, "A later comment that nobody hears about.", name="Carl", email=CARL)
    worker.run(later=timedelta(seconds=batch_window()))
    assert len(smtp.to(ANN)) == 2 and len(smtp.to(BOB)) == 2

    forged = client.post(link[:-4] + "AAA/")
    assert forged.status_code == 400 and b"Nothing was changed" in forged.content
    bad = post_json(client, "/api/v1/follows", {"site": "blog", "url": "https://elsewhere.example/a", "email": "nope"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"url", "email"}


def test_a_held_comment_approved_another_not_and_an_editors_pick(site: Site, smtp: Handler, worker: Worker) -> None:
    confirmed(site, ANN)
    site_update(site=site, premoderate=True)
    kept = post(site, "A careful comment that waits for a moderator.", name="Ann", email=ANN, notify=True)
    refused = post(site, "Another comment, which the moderator turns down.", name="Ann", email=ANN, notify=True)
    assert kept.status == refused.status == Status.PENDING
    moderator = make_moderator(site)
    comment_decide(moderator=moderator, comment=kept, verdict=Verdict.APPROVE)
    comment_decide(moderator=moderator, comment=refused, verdict=Verdict.SPAM)
    comment_set_featured(moderator=moderator, comment=kept, featured=True)
    worker.run(later=timedelta(seconds=batch_window()))
    [mail] = smtp.to(ANN)
    assert mail.message["Subject"] == "3 updates on https://blog.example/2016/09/article"
    assert "Your comment was approved and is now published" in mail.text
    assert "Your comment is an editors' pick" in mail.text
    assert "Your comment was not approved" in mail.text
    assert "reviews every comment before publishing" in mail.text and "judged it to be spam" in mail.text
    assert "turns down" not in mail.text + mail.html, "a refused comment's text is not shown anywhere"
    only_theirs(mail, ANN)


def test_the_task_is_written_in_the_transaction_of_the_change(site: Site, smtp: Handler, worker: Worker) -> None:
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(RuntimeError), transaction.atomic():
        post(site, "A comment whose transaction fails.", name="Ann", email=ANN, notify=True)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError
    assert DBTaskResult.objects.count() == 0
    worker.run()
    assert smtp.received == []


def test_browsers_that_confirmed_one_address_are_one_commenter(
    site: Site, smtp: Handler, worker: Worker, client: Client
) -> None:
    first, second, third = (client.post("/api/v1/tokens").json()["token"] for _ in range(3))

    def say(token: str, text: str, **fields: object) -> Comment:
        r = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": text, "author_name": "Ann",
                                                   **fields}, **{"X-Townhall-Token": token})
        assert r.status_code in (201, 202), r.json()
        return Comment.objects.get(pk=r.json()["id"])

    old = say(first, "Before I ever gave an address here.")
    say(first, "Tell me about replies, please.", author_email=ANN, notify=True)
    worker.run()
    [confirm] = smtp.to(ANN)
    assert client.post(confirm.path("/mail/confirm/")).status_code == 200
    # An hour on (one link an hour per address), the second browser follows the article, and its
    # own link binds it too, though the address is confirmed already.
    AddressState.objects.update(confirmation_sent=timezone.now() - timedelta(hours=2))
    r = post_json(client, "/api/v1/follows", {"site": "blog", "url": PAGE, "email": ANN}, **{"X-Townhall-Token": second})
    assert r.status_code == 202
    worker.run()
    again = smtp.to(ANN)[-1]
    assert again is not confirm and client.post(again.path("/mail/confirm/")).status_code == 200

    one, two = say(first, "From the laptop."), say(second, "From the phone, no address typed.")
    assert one.author_key == two.author_key != old.author_key
    assert Comment.objects.get(pk=old.pk).author_key == old.author_key, "old comments keep their key"
    # Typing a confirmed address, without following a link from this browser, joins nobody.
    stranger = say(third, "I know Ann's address.", author_email=ANN)
    assert stranger.author_key == reader_key(reader_id(third) or "") != one.author_key

    ban_create(site=site, kind="email", value=ANN)
    for token in (first, second):
        r = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "Still here, banned?",
                                                   "author_name": "Ann"}, **{"X-Townhall-Token": token})
        assert r.status_code == 403 and r.json()["code"] == "rejected"

