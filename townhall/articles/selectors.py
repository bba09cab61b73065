"""Reads for the quote check."""

from __future__ import annotations

from townhall.articles.models import Article
from townhall.comments.models import Thread


def article_for(thread: Thread) -> Article | None:
    return Article.objects.filter(thread=thread).first()
