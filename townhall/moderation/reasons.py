"""Kept so code written against the old module keeps importing; the vocabulary lives in
townhall.moderation.decisions. New code imports from there."""

from townhall.moderation.decisions import DESCRIPTIONS, HOSTILE_REASONS, SOFT, Action, Reason

__all__ = ["DESCRIPTIONS", "HOSTILE_REASONS", "SOFT", "Action", "Reason"]
