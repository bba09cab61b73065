"""Logging filters (settings.LOGGING)."""

import logging


class OneLineClientErrors(logging.Filter):
    """Drop the traceback Django attaches to a 4xx it logs (a PermissionDenied, a BadRequest, a
    DisallowedHost): the client's mistake is one line, so real errors stay easy to find."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        return True
