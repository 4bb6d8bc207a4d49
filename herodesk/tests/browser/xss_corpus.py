"""The XSS corpus: classic and modern script-injection vectors, for ``test_xss_corpus.py``.

Every vector tries to run ``alert(...)`` (caught by the page's dialog hook) or to set ``window.__xss``
(read back after the page loads). Each value sent to the desk is ``xssprobe <path><nn> <vector>``: the
``<path><nn>`` token names the input path and the vector, so the test can check that the text is shown
(escaped) where it belongs, and cannot pass by dropping the content.
"""

from __future__ import annotations

import unicodedata

VECTORS: list[str] = [
    # Script elements
    "<script>alert(1)</script>",
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//xss.invalid/x.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</script><script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<![CDATA[<script>alert(1)</script>]]>",
    # Event handlers
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="window.__xss=1">',
    "<img/src/onerror=alert(1)>",
    "<img src=x onerror=alert&lpar;1&rpar;>",
    "<img src=x oneonerrorrror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg/onload=window.__xss=1>",
    "<body onload=alert(1)>",
    "<body/onload=window.__xss=1>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<x contenteditable autofocus onfocusin=alert(1)>x</x>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<style onload=alert(1)></style>",
    "<object data=x onerror=alert(1)>",
    # javascript: and other URLs
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<img src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    # SVG and MathML
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>click</text></a></svg>',
    '<math><a xlink:href="javascript:alert(1)">click</a></math>',
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    # Attribute and context breakouts
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    '" autofocus onfocus=alert(1) x="',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</option></select><img src=x onerror=alert(1)>",
    "</q><img src=x onerror=alert(1)>",
    '"-alert(1)-"',
    "';alert(1)//",
    # CSS
    '<div style="background:url(javascript:alert(1))">css</div>',
    '<div style="width:expression(alert(1))">css</div>',
    '<style>@import "javascript:alert(1)";</style>',
    '<link rel=stylesheet href="javascript:alert(1)">',
    # Template injection (Django, Angular, Vue, JS template literals, ERB, htmx)
    "{{ 7*7 }}",
    "{% debug %}",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "<%= alert(1) %>",
    "#{alert(1)}",
    '<div hx-get="/" hx-trigger="load" hx-on::after-request="alert(1)">htmx</div>',
    '<img src=x hx-on:error="alert(1)">',
    # Unicode and encoding tricks
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "\u202e<script>alert(1)</script>",
    '<img src="x\u2028" onerror=alert(1)>',
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<img src=x onerror=\\u0061lert(1)>",
    # Mutation XSS (parser differentials)
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
    "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=alert(1)>",
]

# Characters the desk may drop on the way in (control and format characters, line separators).
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp"})


def token(path: str, index: int) -> str:
    return f"{path}{index:02d}"


def value(path: str, index: int, limit: int | None = None) -> str:
    text = f"xssprobe {token(path, index)} {VECTORS[index]}"
    return text[:limit] if limit else text


def values(path: str, limit: int | None = None) -> list[str]:
    return [value(path, index, limit) for index in range(len(VECTORS))]


def comparable(text: str) -> str:
    """Text as a page shows it: dropped characters gone, whitespace runs as one space."""
    kept = "".join(" " if unicodedata.category(ch) in _DROPPED else ch for ch in text)
    return " ".join(kept.split())
