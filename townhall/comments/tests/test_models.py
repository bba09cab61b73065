"""The site policy is declared once, by the Site model's fields: every field carries its help
text, and the CLI, the admin and /config derive from them."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.test import Client

from townhall.comments.management.commands.site import POLICY_ARGS
from townhall.comments.models import SITE_POLICY_FIELDS, SITE_PUBLIC_FIELDS, Site, site_policy_field
from townhall.comments.schemas import SiteConfigOut
from townhall.comments.services import site_update


def test_every_site_field_has_its_help_text() -> None:
    missing = [f.name for f in Site._meta.concrete_fields if not f.help_text and f.name not in {"id", "created"}]
    assert missing == []


def test_the_cli_options_are_the_policy_fields_with_their_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert [name for name, _type, _doc in POLICY_ARGS] == [n for n in SITE_POLICY_FIELDS if n != "identity_params"]
    assert dict((n, t) for n, t, _ in POLICY_ARGS)["display_depth"] is int
    assert dict((n, t) for n, t, _ in POLICY_ARGS)["premoderate"] is bool
    with pytest.raises(SystemExit):
        call_command("site", "set", "--help")
    text = " ".join(capsys.readouterr().out.split())
    for name in SITE_POLICY_FIELDS:
        flag = "--identity-param" if name == "identity_params" else f"--{name.replace('_', '-')}"
        assert flag in text
        assert " ".join(str(site_policy_field(name).help_text).split()) in text, name


def test_the_admin_edits_exactly_the_policy_fields() -> None:
    fieldsets = admin_site._registry[Site].fieldsets
    assert fieldsets is not None and tuple(fieldsets[1][1]["fields"]) == SITE_POLICY_FIELDS


def test_config_schema_is_the_public_policy_with_the_models_help() -> None:
    fields = SiteConfigOut.model_fields
    assert set(fields) == {"site", "name", "max_text_length", *SITE_PUBLIC_FIELDS}
    for name in SITE_PUBLIC_FIELDS:
        assert fields[name].description == site_policy_field(name).help_text


@pytest.mark.django_db
def test_config_answers_every_public_field(client: Client, site: Site) -> None:
    site_update(site=site, page_size=7, rules="Be kind.", close_after_days=30)
    body = client.get("/api/v1/config", {"site": site.slug}).json()
    assert {k: body[k] for k in SITE_PUBLIC_FIELDS} == {k: getattr(site, k) for k in SITE_PUBLIC_FIELDS}
    assert "identity_params" not in body
