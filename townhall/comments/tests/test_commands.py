"""`townhall site` and `townhall serve`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from townhall.comments.management.commands.serve import check_address
from townhall.comments.models import Site


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_site_commands() -> None:
    out = run("site", "add", "paper", "--name", "The Paper", "--origin", "https://Paper.Example/", "--origin", "http://localhost:8000", "--premoderate", "yes")
    assert "created site paper" in out and 'data-site="paper"' in out and "embed.js" in out
    site = Site.objects.get(slug="paper")
    assert site.premoderate and sorted(o.origin for o in site.origins.all()) == ["http://localhost:8000", "https://paper.example"]
    assert "paper\tThe Paper" in run("site", "list")
    shown = run("site", "show", "paper")
    assert "premoderate" in shown and "True" in shown
    assert "display_depth        3" in run("site", "set", "paper", "--display-depth", "3")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("site", "add", "x", "--name", "X", "--origin", "example.com"), "origins: not an http(s) origin"),
        (("site", "add", "x", "--name", "X", "--origin", "https://x.example", "--page-size", "many"), "--page-size"),
        (("site", "add", "x", "--name", "X", "--origin", "https://x.example", "--premoderate", "perhaps"), "--premoderate"),
        (("site", "show", "ghost"), "no site 'ghost'"),
    ],
)
def test_site_command_errors_are_messages(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert message in str(exc.value)
    assert not Site.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_duplicate_site_is_refused() -> None:
    run("site", "add", "dup", "--name", "D", "--origin", "https://d.example")
    with pytest.raises(CommandError, match="already exists"):
        run("site", "add", "dup", "--name", "D", "--origin", "https://d.example")


@pytest.mark.django_db
@pytest.mark.parametrize(("flag", "value"), [("--page-size", "0"), ("--replies-per-page", "0"), ("--display-depth", "0"),
                                             ("--edit-window-minutes", "9223372036854775807"), ("--page-size", "1000")])
def test_site_policy_out_of_range_is_refused(flag: str, value: str) -> None:
    run("site", "add", "pol", "--name", "P", "--origin", "https://p.example")
    with pytest.raises(CommandError) as exc:
        run("site", "set", "pol", flag, value)
    assert flag.lstrip("-").replace("-", "_") in str(exc.value)
    site = Site.objects.get(slug="pol")
    assert (site.page_size, site.replies_per_page, site.display_depth, site.edit_window_minutes) == (20, 10, 5, 15)


@pytest.mark.parametrize(("host", "port", "message"), [("127.0.0.1", 99999, "--port"), ("256.1.1.1", 8000, "--host")])
def test_serve_refuses_bad_addresses(host: str, port: int, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        check_address(host, port)


def test_serve_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        with pytest.raises(CommandError, match="cannot listen"):
            check_address("127.0.0.1", held.getsockname()[1])


@pytest.mark.django_db
def test_site_sso_shows_the_key_once_and_rotates() -> None:
    run("site", "add", "paper", "--name", "The Paper", "--origin", "https://paper.example")
    assert Site.objects.get(slug="paper").sso_secret == ""
    out = run("site", "sso", "paper")
    key = Site.objects.get(slug="paper").sso_secret
    assert len(key) >= 43 and key in out and 'aud="paper"' in out
    with pytest.raises(CommandError, match="--rotate"):
        run("site", "sso", "paper")
    rotated = run("site", "sso", "paper", "--rotate")
    assert key not in rotated and Site.objects.get(slug="paper").sso_secret in rotated
    assert key not in run("site", "show", "paper")
    assert Site.objects.get(slug="paper").sign_in_required is False
    run("site", "set", "paper", "--sign-in-required", "yes", "--login-url", "https://paper.example/login")
    assert Site.objects.get(slug="paper").sign_in_required
