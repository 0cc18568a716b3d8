"""The self-check of the Cython walker (`classifier.extraction._cwalk`) before it is used.

The Cython walker reads Lexbor's structs with a layout the project declares, so a selectolax
whose Lexbor lays them out otherwise must never reach it. `checked_walker()` takes only a build
of the sources beside it (`SOURCES`, stamped by setup.py), learns the layout from the installed
selectolax (which checks the declared layout field by field on `PROBE_PAGE`), then walks
`PROBE_PAGE` both ways, the Cython walker and `dom` (the reference); only when the two give the
same blocks and page evidence is the Cython walker returned. Otherwise it warns (a stale build:
silently) and returns None, and the caller uses another walker.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import compiled, dom

# Every kind of node, tag and attribute the walker treats apart: a doctype and comments, the
# head's metadata, skipped subtrees, custom elements and attributes with short and long names
# (Lexbor keeps names of 16 bytes or fewer inside its hash entries, longer ones outside),
# non-ASCII text, entities, invisible characters, and valueless attributes.
PROBE_PAGE = """<!DOCTYPE html><!-- before -->
<html lang=" de "><head><title>Probe  <b>page</b> title</title>
<meta property="og:title" content=" Probe "><meta name="Author" content="A. Writer">
<meta itemprop="datePublished" content="2024-01-02"><meta http-equiv="Refresh" content="5">
<meta charset="utf-8"><link rel="Canonical stylesheet" href=" https://example.org/probe ">
<base href="/"><script type=" application/ld+json ">{"@type": "NewsArticle", "name": "é"}</script>
<script>var x = "<p>not text</p>";</script><style>p { color: red }</style></head>
<body class="home page" data-x-custom-attribute-with-long-name="1" x-short="2">
<header role="banner" id="top-123"><nav class="main-nav"><ul><li><a href="/a#frag">Home</a></li>
<li><a href="">Empty</a></li><li><a>No href</a></li></ul></nav></header>
<main id="mainContent"><article itemprop="articleBody" class="entry-content post-42">
<h1 class="title">Headline with <em>emphasis</em> and&nbsp;entities &amp; more</h1>
<time datetime=" 2024-01-02T03:04 ">Jan 2</time><time datetime="later">later</time>
<p>First para­graph\u200b with <a href="https://example.org/x">a link</a> and <b>bold</b><i>italic</i>.</p>
<p>Line one<br>line two<wbr>joined<br><br></p>
<pre>  code line 1\n    indented   line 2\n\n</pre><code>f</code><code>(x)</code>
<span>one</span><span>two</span> <span>three</span>
<div hidden>hidden text</div><div aria-hidden="true">aria hidden</div>
<div style="display: none">styled hidden</div><div style="color: red">shown</div>
<span class="sr-only">screen reader only</span><div class="visually-hidden">also</div>
<table class="data"><tbody><tr><td>1</td><td>one</td></tr><tr><th>2</th><td>two</td></tr></tbody></table>
<x-custom class="card">custom element text</x-custom>
<x-custom-element-with-a-long-name id="long">long custom element text</x-custom-element-with-a-long-name>
<search><form action="/s"><input name="q"><select><option>a</option></select>after select
<textarea>typed</textarea><button>Go</button><label>Label</label></form></search>
<blockquote><q>quoted</q></blockquote><figure><img src="a.png"><figcaption>Caption</figcaption></figure>
<picture><source srcset="b.png"><img src="b.png"></picture>
<ul><li>item 1<ul><li>nested item</li></ul></li></ul><dl><dt>term</dt><dd>definition</dd></dl>
<details><summary>More</summary>details text</details><address>An address</address>
<noscript><p>noscript paragraph</p></noscript><iframe src="x">iframe text</iframe>
<svg><text>svg text</text></svg><template><p>template text</p></template>
<h2>Ελληνικά 中文 עברית</h2><h3 role="heading">third</h3><p>Ünïcödé ☃ text</p>
<div role="navigation complementary"><p>role nav</p></div><aside><p>aside text</p></aside>
</article></main><footer class="site-footer">Footer © 2024</footer>
<!-- after --></body></html><!-- after html -->"""


# What the Cython walker is built from: a build of other sources (an edited file in an
# editable install) is not used, as `walk` does with the mypyc build.
SOURCES = ("dom.py", "_cwalk.pyx", "_layout.pxi", "_attribute_facts.pxi", "_utf8.pxi", "_lexbor_layout.pxd")


def built_from_these_sources(module: Any) -> bool:
    """Whether the built walker `module` was made from the sources beside this file (or they
    are not there: an install without them takes the build as it is)."""
    return compiled.built_from(module, SOURCES)


def checked_walker() -> Any | None:
    """The Cython walker (an `_cwalk.Walker`) if it is built from the sources beside this file,
    the installed selectolax lays its structs out as declared, and it walks `PROBE_PAGE` exactly
    as `dom` does; else None, with a warning when it is built but fails a check."""
    module = compiled.load("_cwalk", SOURCES)
    if module is None:
        return None  # not built, or a stale build: silently, as walk does with a stale mypyc build
    try:
        walker = module.Walker(module.learn_layout(PROBE_PAGE))
        same = _walked(walker, PROBE_PAGE) == _walked(dom, PROBE_PAGE)
    except Exception as error:  # noqa: BLE001 - any failure of the check: the plain walker
        warnings.warn(f"pagesieve: the compiled walker does not fit this selectolax ({error!r}); another walker is used", stacklevel=2)
        return None
    if not same:
        warnings.warn("pagesieve: the compiled walker walks the probe page differently; another walker is used", stacklevel=2)
        return None
    return walker


def _walked(walker: Any, html: str) -> str:
    """Everything the walk gives, blocks and page evidence, as text."""
    return repr(walker.blocks_from_html(html))
