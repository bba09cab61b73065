"""The OpenAPI schema against the server, by schemathesis: bounded generated requests per
operation (valid and invalid), with every check (no 5xx, statuses, bodies and headers as the
schema says, invalid data refused, valid data accepted). Runs in-process over WSGI on this
pass's database. The long run is bench/reliability.py --long."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from townhall.comments.models import Site
from townhall.comments.services import site_create
from townhall.posting.services import comment_create

EXAMPLES = 12  # per operation and phase; bench/reliability.py --long runs thousands


# Served by the app itself (no database needed), as a client would fetch it.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def demo(db: None) -> Site:
    site = site_create(slug="demo", name="Demo", origins=["https://news.example"])
    comment_create(site=site, url="https://news.example/a", text="A comment to find.", author_name="Ann")
    return site


def positive_data_accepted_but_cursors(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, less one refusal no schema can describe: a cursor
    is opaque, and only the ones the server issued are valid (any other is a 422 on `cursor`)."""
    if response.status_code == 422 and {e["field"] for e in response.json()["errors"]} == {"cursor"}:
        return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_server_answers_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance],
                           additional_checks=[positive_data_accepted_but_cursors])
