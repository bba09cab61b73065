from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from townhall.demo.services import DEMO_SLUG, load_seed_document


def demo_page(request: HttpRequest) -> HttpResponse:
    """GET / — anyone. The seed article with the comment widget below it."""
    article = load_seed_document()["article"]
    return render(request, "demo/article.html", {"article": article, "site": DEMO_SLUG})
