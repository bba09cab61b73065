"""The OpenAPI schema against the server, by schemathesis: bounded generated requests per
operation (valid and invalid), with every check (no 5xx, statuses, bodies and headers as the
schema says, invalid data refused, valid data accepted). Runs in-process over WSGI on this
pass's database. The long run is bench/reliability.py --long."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from townhall.comments.models import Site
from townhall.comments.schemas import EXAMPLE_SITE, EXAMPLE_URL
from townhall.comments.services import site_create
from townhall.posting.services import comment_create

EXAMPLES = 4  # per operation and phase; bench/reliability.py --long runs 300 against the real server


# Served by the app itself (no database needed), as a client would fetch it.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_connection() -> Iterator[None]:
    """Requests go straight to the WSGI app, which closes the database connection after each
    one; inside the test's transaction it must stay open, as Django's test client keeps it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def demo(db: None) -> Site:
    """The site and page the schema's examples name, with a comment, so requests built from the
    examples (and the links that follow a post) reach real data."""
    site = site_create(slug=EXAMPLE_SITE, name="Demo", origins=["https://news.example"])
    comment_create(site=site, url=EXAMPLE_URL, text="A comment to find.", author_name="Ann")
    return site


# Fields whose validity depends on the server's data, which no schema can describe: a cursor
# (only the server's own), a page URL (on the site's origins), a parent (an existing published
# comment in the thread), and the site's own policy (its text limit, a required name or email,
# the moderation pipeline's warning).
DATA_DEPENDENT = {"cursor", "url", "parent", "text", "author_name", "author_email", "author_website"}


def positive_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, less the refusals named above (a 422 naming only
    data-dependent fields)."""
    if response.status_code == 422:
        fields = {e["field"].split("[")[0] for e in response.json()["errors"]}
        if fields <= DATA_DEPENDENT:
            return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_server_answers_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance],
                           additional_checks=[positive_data_accepted])
