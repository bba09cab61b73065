import pytest

from townhall.comments.locator import canonical_url, normalise_origin
from townhall.core.errors import ValidationFailed

ORIGINS = ["https://blog.example", "http://localhost:8000"]


def canon(url: str, params: tuple[str, ...] = ()) -> str:
    return canonical_url(url, origins=ORIGINS, identity_params=params)


@pytest.mark.parametrize(
    "raw",
    [
        "https://blog.example/a",
        "HTTPS://Blog.Example/a",
        "https://blog.example:443/a",
        "http://blog.example/a",  # same page over http
        "https://blog.example/a#comment-5",
        "https://blog.example/a?utm_source=feed&fbclid=1",
    ],
)
def test_variants_of_one_page_are_one_thread(raw: str) -> None:
    assert canon(raw) == "https://blog.example/a"


def test_identity_params_are_kept_sorted_and_others_dropped() -> None:
    assert canon("https://blog.example/?utm=1&p=12&lang=en", ("p", "lang")) == "https://blog.example/?lang=en&p=12"


def test_non_default_port_is_part_of_the_origin() -> None:
    assert canon("http://LOCALHOST:8000/x") == "http://localhost:8000/x"
    with pytest.raises(ValidationFailed):
        canon("http://localhost:9000/x")


def test_empty_path_becomes_slash() -> None:
    assert canon("https://blog.example") == "https://blog.example/"


@pytest.mark.parametrize("raw", ["https://evil.example/a", "javascript:alert(1)", "/relative", "https://", "ftp://blog.example/a", "http://[::1"])
def test_foreign_or_invalid_urls_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        canon(raw)
    assert exc.value.errors[0].field == "url"


def test_origin_normalisation() -> None:
    assert normalise_origin("HTTPS://Blog.Example:443/") == "https://blog.example"
    for bad in ("blog.example", "https://blog.example/path", "mailto:x@y"):
        with pytest.raises(ValueError):
            normalise_origin(bad)
