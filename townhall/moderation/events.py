"""What happens after a moderation event commits."""

import logging

logger = logging.getLogger("townhall.moderation")


def flamewar_detected(war_id: int) -> None:
    # The moderators' queue reads FlameWar rows directly; the log line is for operators.
    logger.info("flame war %s detected", war_id)
