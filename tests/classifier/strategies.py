"""Hypothesis strategies shared by the property tests: JSON-LD-like values, and trees of block
and inline elements with their HTML; and the hostile pages every walker must walk alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import strategies as st

# Pages that have broken walkers: nothing, no tags, deep nesting, many attributes, NUL and
# surrogates, a self-closed iframe, lone surrogates, preformatted text beside a table.
HOSTILE_PAGES = [
    pytest.param("", id="empty"),
    pytest.param("plain text, no tags", id="text"),
    pytest.param("<div>" * 20_000 + "deep" + "</div>" * 20_000, id="deep"),
    pytest.param("<p " + " ".join(f"a{i}=x" for i in range(20_000)) + ">many attributes</p>", id="attributes"),
    pytest.param("<p>\x00 NUL \ud800 surrogate</p><iframe src=x /><p>after a self-closed iframe</p>", id="nul-surrogate-iframe"),
    pytest.param("<p>bad UTF-8 kept by Lexbor: \udcff\udcfe</p>", id="lone-surrogates"),
    pytest.param("<pre>line 1\n  line 2</pre><table><tr><td>1</td><td>x</td></tr></table>", id="pre-table"),
]


def json_values(leaves: Sequence[str], keys: Sequence[str]) -> st.SearchStrategy[Any]:
    """Nested JSON values: scalars (and the given `leaves`), lists, and objects whose keys are
    drawn from `keys`."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(list(leaves)),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(list(keys)), children, max_size=5),
        max_leaves=20,
    )


INLINE_TREES = st.recursive(
    st.text(alphabet="abc xyz", min_size=1, max_size=8).map(lambda text: ("text", text)),
    lambda children: st.tuples(st.sampled_from(["a", "b", "span", "em"]), st.lists(children, min_size=1, max_size=3)),
    max_leaves=6,
)
BLOCK_TREES = st.recursive(
    st.tuples(st.sampled_from(["p", "h2", "li", "td", "pre"]), st.lists(INLINE_TREES, min_size=1, max_size=3)),
    lambda children: st.tuples(
        st.sampled_from(["div", "section", "article", "nav", "ul", "aside", "a"]),
        st.lists(children, min_size=1, max_size=4),
    ),
    max_leaves=8,
)


def inline_html(node) -> str:
    """HTML of an `INLINE_TREES` node."""
    kind, content = node
    if kind == "text":
        return content
    attributes = ' href="/x"' if kind == "a" else ""
    return f"<{kind}{attributes}>" + "".join(map(inline_html, content)) + f"</{kind}>"


def tree_html(node, indent: str | None, depth: int = 0) -> str:
    """HTML of a `BLOCK_TREES` node, indented with `indent` between block tags (None: compact)."""
    tag, children = node
    pad = "" if indent is None else "\n" + indent * depth
    if tag in ("p", "h2", "li", "td", "pre"):
        inner = "".join(map(inline_html, children))
        return pad + (f"<table><tr><td>{inner}</td></tr></table>" if tag == "td" else f"<{tag}>{inner}</{tag}>")
    inner = "".join(tree_html(child, indent, depth + 1) for child in children)
    if tag == "a":  # a link around blocks, as in a grid of cards
        return f'{pad}<a href="/card">{pad}<div class="card">{inner}{pad}</div>{pad}</a>'
    return f'{pad}<{tag} class="c{depth}">{inner}{pad}</{tag}>'
