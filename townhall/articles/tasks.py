"""The quote check's background work: thin adapters around the services."""

from __future__ import annotations

from django_tasks import task

from townhall.articles import quotes
from townhall.articles.services import comment_quotes_mark, thread_quotes_mark
from townhall.comments.models import Comment, Thread


@task()
def comment_quotes_refresh(comment_id: int) -> int:
    """Mark the passages one comment quotes, after it was written or edited."""
    comment = Comment.objects.filter(pk=comment_id).only("id", "thread_id", "text", "author_key", "quotes").first()
    return len(comment_quotes_mark(comment=comment)) if comment else 0


@task()
def thread_quotes_refresh(thread_id: int) -> int:
    """Check every comment of a thread again: its article changed, or comments were imported."""
    thread = Thread.objects.filter(pk=thread_id).first()
    return thread_quotes_mark(thread=thread) if thread else 0


def quotes_changed(comment: Comment) -> None:
    """Durable consumer of a comment's writes: queue its quote check when it quotes something or
    had marks (an edit may take a quote out). Finding the quotes is a regex, no query."""
    if comment.quotes or quotes.extract_quotes(comment.text):
        comment_quotes_refresh.enqueue(comment.pk)
