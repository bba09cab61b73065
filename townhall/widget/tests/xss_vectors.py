"""Cross-site scripting vectors for the XSS test and bench/reliability.py, assembled from public
filter-evasion references: the OWASP XSS Filter Evasion Cheat Sheet (entity-encoded and
whitespace-split schemes, half-open tags, malformed attributes, legacy attributes such as DYNSRC
and BACKGROUND, META refresh, STYLE expressions), PortSwigger's XSS cheat sheet (event handlers
that fire without interaction: onerror, onload, ontoggle, onbegin, onfocus with autofocus),
published mutation-XSS cases (math/noscript/style parsing differentials), and Markdown link and
image payloads (javascript:, data: and vbscript: destinations, encoded colons, autolinks,
reference definitions, title-attribute breakouts).

Each vector calls `__xss(N)` with its own number, so a vector that runs names itself. `{f}` in a
template is that call."""

from __future__ import annotations

HTML = [
    "<script>{f}</script>",
    "<SCRIPT>{f}</SCRIPT>",
    "<scr<script>ipt>{f}</scr</script>ipt>",
    "<<SCRIPT>{f};//<</SCRIPT>",
    "<SCRIPT/XSS>{f}</SCRIPT>",
    '<SCRIPT a=">">{f}</SCRIPT>',
    '<IMG """><SCRIPT>{f}</SCRIPT>">',
    "</TITLE><SCRIPT>{f}</SCRIPT>",
    "</textarea><script>{f}</script>",
    "</script><script>{f}</script>",
    '<IMG SRC="javascript:{f};">',
    "<IMG SRC=javascript:{f}>",
    "<IMG SRC=JaVaScRiPt:{f}>",
    "<IMG SRC=`javascript:{f}`>",
    '<IMG SRC=# onmouseover="{f}">',
    '<IMG SRC= onmouseover="{f}">',
    '<IMG onmouseover="{f}">',
    '<IMG SRC=/ onerror="{f}"></img>',
    "<img src=x onerror={f}>",
    "<img/src/onerror={f}>",
    "<img src=x onerror\x0b={f}>",
    '<img src="x`" onerror={f}>',
    "<img src=x onerror=eval('{f}')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{f}>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058{f}>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A{f}>",
    '<IMG SRC="jav\tascript:{f};">',
    '<IMG SRC="jav&#x09;ascript:{f};">',
    '<IMG SRC="jav&#x0A;ascript:{f};">',
    '<IMG SRC="jav&#x0D;ascript:{f};">',
    '<IMG SRC=" &#14;  javascript:{f};">',
    '<INPUT TYPE="IMAGE" SRC="javascript:{f};">',
    '<BODY BACKGROUND="javascript:{f}">',
    "<BODY ONLOAD={f}>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`={f}>",
    '<IMG DYNSRC="javascript:{f}">',
    '<IMG LOWSRC="javascript:{f}">',
    '<STYLE>li {{list-style-image: url("javascript:{f}");}}</STYLE><UL><LI>XSS</br>',
    '<BGSOUND SRC="javascript:{f};">',
    '<BR SIZE="&{{{f}}}">',
    '<LINK REL="stylesheet" HREF="javascript:{f};">',
    "<STYLE>@import'javascript:{f}';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:{f};">',
    '<IFRAME SRC="javascript:{f};"></IFRAME>',
    '<IFRAME SRC=# onmouseover="{f}"></IFRAME>',
    "<iframe src=javascript:{f} <",
    '<iframe srcdoc="<img src=x onerror=parent.{f}>">',
    '<FRAMESET><FRAME SRC="javascript:{f};"></FRAMESET>',
    '<TABLE BACKGROUND="javascript:{f}">',
    '<TABLE><TD BACKGROUND="javascript:{f}">',
    '<DIV STYLE="background-image: url(javascript:{f})">',
    '<DIV STYLE="width: expression({f});">',
    '<BASE HREF="javascript:{f};//">',
    '<OBJECT TYPE="text/x-scriptlet" DATA="javascript:{f}"></OBJECT>',
    '<object data="javascript:{f}">',
    '<EMBED SRC="javascript:{f}">',
    "<svg/onload={f}>",
    "<svg><script>{f}</script>",
    '<svg><a xlink:href="javascript:{f}"><text x=20 y=20>XSS</text></a>',
    "<svg><animate onbegin={f} attributeName=x dur=1s>",
    "<svg><set onbegin={f} attributeName=x to=0>",
    "<image src=x onerror={f}>",
    "<details open ontoggle={f}>",
    "<video><source onerror={f}>",
    "<audio src=x onerror={f}>",
    "<body onpageshow={f}>",
    "<marquee onstart={f}>",
    "<style onload={f}>",
    "<x contenteditable onblur={f}>lose focus",
    "<input autofocus onfocus={f}>",
    "<select autofocus onfocus={f}>",
    "<textarea autofocus onfocus={f}>",
    "<keygen autofocus onfocus={f}>",
    "<isindex type=image src=1 onerror={f}>",
    "<form><button formaction=javascript:{f}>X</button>",
    '<a onmouseover="{f}">xxs link</a>',
    '<a href="javascript:{f}">x</a>',
    '<a href="JAVASCRIPT:{f}">x</a>',
    '<a href=" javascript:{f}">x</a>',
    '<a href="&#1;javascript:{f}">x</a>',
    '<a href="java&Tab;script:{f}">x</a>',
    '<a href="javascript&colon;{f}">x</a>',
    '<a href="vbscript:{f}">x</a>',
    '<a href="data:text/html,<script>{f}</script>">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror={f}>",
    '<noscript><p title="</noscript><img src=x onerror={f}>">',
    '<!--<img src="--><img src=x onerror={f}//">',
    "<![CDATA[<img src=x onerror={f}>]]>",
    '<img src="x" onerror="&#x5f;&#x5f;xss(0)">',
    "%3Cscript%3E{f}%3C/script%3E",
    "&lt;script&gt;{f}&lt;/script&gt;",
    "+ADw-script+AD4-{f}+ADw-/script+AD4-",
    '\\";{f};//',
    "javascript:{f}",
]

PREFIXES = ["", '">', "'>"]

MARKDOWN = [
    "[x](javascript:{f})",
    "[x](JaVaScRiPt:{f})",
    "[x](&#106;avascript:{f})",
    "[x](javascript&#58;{f})",
    "[x](<javascript:{f}>)",
    "[x](javascript://%0a{f})",
    "![x](javascript:{f})",
    '![x](x" onerror="{f})',
    '[x](x" onmouseover="{f})',
    "<javascript:{f}>",
    "[x][r]\n\n[r]: javascript:{f}",
    "[x](data:text/html,<script>{f}</script>)",
    "[x](vbscript:{f})",
    "`<script>{f}</script>`",
    "```\n<script>{f}</script>\n```",
    "[<img src=x onerror={f}>](https://x.example)",
    "**<img src=x onerror={f}>**",
    "> <script>{f}</script>",
    '[x](https://x.example "t\\" onmouseover=\\"{f}")',
    "[x](https://x.example/\"><img src=x onerror={f}>)",
]

WEBSITES = [
    "javascript:{f}",
    "JavaScript:{f}",
    " javascript:{f}",
    "data:text/html,<script>{f}</script>",
    'https://x.example/"onmouseover="{f}',
    "https://x.example/'><img src=x onerror={f}>",
    "https://x.example/?q=<script>{f}</script>",
    'https://x.example/#"><svg onload={f}>',
    "x.example/\"autofocus onfocus=\"{f}",
]


def vectors() -> list[tuple[int, str, str]]:
    """(number, text, website) for every vector; numbers start at 1 (0 and below are the
    test's planted controls)."""
    out: list[tuple[int, str, str]] = []
    templates = [p + h for h in HTML for p in PREFIXES] + MARKDOWN
    for i, template in enumerate(templates, start=1):
        call = f"__xss({i})"
        website = WEBSITES[i % len(WEBSITES)].replace("{f}", call)
        out.append((i, template.replace("{f}", call).replace("{{", "{").replace("}}", "}"), website))
    return out
