"""The article a thread is about, as plain text: what the quote check compares quotes with.

It reaches Townhall once per version, from the site's CMS (with the site's article key) or, where
there is none, from the first widget load of the page, which sends the text of its <article>.
After that only the CMS or a moderator can replace it, so nobody with curl decides what "the
article" says."""

from __future__ import annotations

from django.db import models

from townhall.comments.models import Thread


class ArticleSource(models.TextChoices):
    CMS = "cms"  # the site's CMS, with the site's article key
    PAGE = "page"  # the first widget load of the page (its <article> text)
    MODERATOR = "moderator"


class Article(models.Model):
    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="article")
    text = models.TextField(help_text="plain text, paragraphs separated by blank lines")
    # SHA-256 of the text, also on the thread (Thread.article_hash): the same text sent again is
    # the same version, and changes nothing.
    hash = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=ArticleSource.choices)
    version = models.PositiveIntegerField(default=1, help_text="how many different texts it has had")
    updated = models.DateTimeField()

    def __str__(self) -> str:
        return f"article of {self.thread_id} (v{self.version}, {self.source})"
