"""Rows the core layer keeps for itself."""

from django.db import models


class RateCounter(models.Model):
    """One client's request count in its current rate-limit window (townhall.core.throttles,
    without Redis). Updated only by one INSERT ... ON CONFLICT statement per request."""

    bucket = models.CharField(max_length=100, primary_key=True)  # scope and a hash of the address
    count = models.PositiveIntegerField(default=0)
    expires = models.FloatField(db_index=True)  # Unix time the window closes (housekeeping deletes past ones)

    def __str__(self) -> str:
        return f"{self.bucket}: {self.count}"
