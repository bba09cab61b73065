"""Without SMTP configured, notifications go to the log; the log must never hold an address."""

import logging
import re
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("townhall.mail")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def mask_emails(text: str) -> str:
    return EMAIL_RE.sub("<email hidden>", text)


class MaskedLogBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.info("email (not sent, no SMTP configured): subject=%r body=%r",
                        mask_emails(str(message.subject)), mask_emails(str(message.body)))
        return len(email_messages)
