from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from townhall.comments.models import Site, Thread
from townhall.core.i18n import supported
from townhall.demo.services import DEMO_SLUG, DEMO_URL, load_seed_document


def demo_page(request: HttpRequest) -> HttpResponse:
    """GET / — anyone. The seed article with the comment widget below it. The count is
    rendered here too, so the page reads right before (or without) JavaScript."""
    article = load_seed_document()["article"]
    site = Site.objects.filter(slug=DEMO_SLUG).first()
    thread = Thread.objects.filter(site=site, url=DEMO_URL).first() if site else None
    # /?lang=ar shows the widget in another language than the (English) article: its data-lang.
    lang = supported(request.GET.get("lang"))
    noscript_url = reverse("widget-thread") + "?" + urlencode({"site": DEMO_SLUG, "url": DEMO_URL, **({"lang": lang} if lang else {})})
    context = {
        "article": article,
        "site": DEMO_SLUG,
        "canonical": DEMO_URL,
        "count": thread.comment_count if thread else 0,
        "noscript_url": noscript_url,
        "lang": lang,
        "share": {
            "email": "mailto:?" + urlencode({"subject": article["title"], "body": DEMO_URL}).replace("+", "%20"),
            "x": "https://x.com/intent/post?" + urlencode({"url": DEMO_URL, "text": article["title"]}),
            "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": DEMO_URL}),
            "reddit": "https://www.reddit.com/submit?" + urlencode({"url": DEMO_URL, "title": article["title"]}),
        },
    }
    return render(request, "demo/article.html", context)
