"""What an import has already written, so a second run adds nothing and a crashed one resumes.

Each imported comment keeps its source's id in `ImportedComment` (site, source, source id): the
writer skips ids it finds there, and each thread's comments and their rows here commit in one
transaction, so after a crash a re-run starts at the first thread that did not commit.
"""

from __future__ import annotations

from django.db import models

from townhall.comments.models import Comment, Site


class ImportedComment(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)  # disqus, wordpress, isso, remark42, townhall
    source_id = models.CharField(max_length=200)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "source", "source_id"], name="imported_comment_once")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} -> #{self.comment_id}"


class ImportRun(models.Model):
    """One run of `townhall import`: which file (by hash), how far it got, and its report."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.source} import of {self.file_name}"
