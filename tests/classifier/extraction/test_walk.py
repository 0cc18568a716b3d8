"""`classifier.extraction.walk`: the mypyc-compiled walker (built at install, `setup.py`) is used
only when built from the installed `dom.py`, and gives the same output as the plain Python
(`dom` itself, never replaced), page for page. (The Cython walker: test_cwalk.py.)"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import classifier.extraction.dom as dom
from classifier.extraction import walk
from tests.classifier.extraction.compiled_parts import unavailable
from tests.classifier.strategies import BLOCK_TREES, HOSTILE_PAGES, tree_html

SOURCE = Path(dom.__file__)
PAGES = sorted((Path(__file__).resolve().parents[3] / "data" / "wcxb-dev" / "html").glob("*.html.gz"))


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    """The compiled walker, built from this dom.py (else the test skips, or fails in CI)."""
    try:
        import classifier.extraction._dom_compiled as module
    except ImportError as error:
        message = f"the compiled walker is not built here ({error})"
    else:
        if hashlib.sha256(SOURCE.read_bytes()).hexdigest() == module.COMPILED_FROM:
            return module
        message = "the compiled walker was built from another dom.py (stale)"
    unavailable(message + "; pip install -e . builds it")  # under .ci/run: a failed build, not a skip


@pytest.fixture(scope="module")
def plain() -> ModuleType:
    """The plain Python walker: `dom` itself."""
    assert dom.COMPILED_FROM is None and hasattr(dom.blocks_from_html, "__code__")  # Python, not C
    return dom


def walked(module: ModuleType, html: str) -> str:
    """Everything the walk gives, blocks and page evidence, as text (both walkers' classes
    print their fields the same way)."""
    return repr(module.blocks_from_html(html))


def test_the_compiled_walker_is_the_one_in_use(compiled: ModuleType) -> None:
    if os.environ.get(walk.PURE_PYTHON_VARIABLE):  # the suite run on the plain walker
        assert not walk.COMPILED and walk.blocks_from_html is dom.blocks_from_html
        return
    if os.environ.get(walk.WALKER_VARIABLE, walk.MYPYC) != walk.MYPYC:
        pytest.skip(f"{walk.WALKER_VARIABLE} chose another walker")
    kind, implementation = walk.choose(walk.MYPYC)
    assert kind == walk.MYPYC and implementation is compiled
    assert walk.COMPILED and walk.KIND in (walk.CYTHON, walk.MYPYC)  # the Cython walker first, when it passes its check
    if walk.KIND == walk.MYPYC:
        assert walk.IMPLEMENTATION is compiled
        assert walk.blocks_from_html is compiled.blocks_from_html and walk.RawBlock is compiled.RawBlock


def test_a_build_from_other_source_is_not_used(compiled: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(walk.PURE_PYTHON_VARIABLE, raising=False)
    source = SOURCE.read_bytes()
    assert walk.compiled_walker(source) is compiled
    assert walk.compiled_walker(source + b"\n# edited after the build\n") is None


def test_the_variable_turns_the_compiled_walker_off(compiled: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(walk.PURE_PYTHON_VARIABLE, "1")
    assert walk.compiled_walker(SOURCE.read_bytes()) is None


@pytest.mark.skipif(not PAGES, reason="no WCXB pages in data/")
def test_both_walkers_give_the_same_blocks_on_real_pages(compiled: ModuleType, plain: ModuleType) -> None:
    from classifier.extraction.decode import decode_html

    for path in PAGES[:: max(1, len(PAGES) // 60)]:  # 60 pages across the corpus
        html = decode_html(gzip.decompress(path.read_bytes()))
        assert walked(compiled, html) == walked(plain, html), path.name


@settings(max_examples=200, deadline=None)
@given(
    st.lists(BLOCK_TREES, min_size=1, max_size=3),
    st.sampled_from([None, " ", "\n\t"]),
    st.sampled_from(["", "<noscript>", '<div class="sr-only">', '<table><tr><td class="mainContent">']),
)
def test_both_walkers_give_the_same_blocks_on_any_tree(compiled: ModuleType, plain: ModuleType, tree, indent, opener) -> None:
    html = "<html><body>" + opener + "".join(tree_html(node, indent) for node in tree) + "</body></html>"
    assert walked(compiled, html) == walked(plain, html)


# Elements of every kind the walker treats apart, with attributes that may have no value: the
# compiled walker checks the types of what selectolax returns, and must meet None as the plain
# one does.
_TAGS = st.sampled_from(
    "p div span a li ul td tr table h1 h2 pre code br img time meta link title script noscript "
    "iframe svg template form input button nav footer aside article main header html body".split()
)
_ATTRIBUTES = st.lists(
    st.tuples(
        st.sampled_from("class id href lang name property content rel datetime type hidden style aria-hidden role itemprop".split()),
        st.none() | st.sampled_from(["", " ", "nav", "sr-only", "canonical", "main-content post-12", "application/ld+json", "x"]),
    ),
    max_size=3,
)
_ELEMENTS = st.recursive(
    st.text(alphabet="ab é{}<>&;\n", max_size=6),
    lambda children: st.tuples(_TAGS, _ATTRIBUTES, st.lists(children, max_size=3)).map(
        lambda element: "<{0}{1}>{2}</{0}>".format(
            element[0],
            "".join(f" {name}" if value is None else f' {name}="{value}"' for name, value in element[1]),
            "".join(element[2]),
        )
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENTS, min_size=1, max_size=4))
def test_both_walkers_agree_on_any_tags_and_attributes(compiled: ModuleType, plain: ModuleType, elements: list[str]) -> None:
    html = "".join(elements)
    assert walked(compiled, html) == walked(plain, html)


@pytest.mark.parametrize("html", HOSTILE_PAGES)
def test_both_walkers_agree_on_bad_input(compiled: ModuleType, plain: ModuleType, html: str) -> None:
    assert walked(compiled, html) == walked(plain, html)


def test_what_the_plain_walker_pickled_loads_where_the_walker_is_compiled(compiled: ModuleType) -> None:
    """A page pickled where the walker is plain Python (no compiler there, or
    PAGESIEVE_PURE_PYTHON set) loads whole where it is compiled: the classes are pickled as
    constructor calls of their fields, so the plain classes load with the same fields."""
    if os.environ.get(walk.PURE_PYTHON_VARIABLE):
        pytest.skip("this suite runs on the plain walker: nothing loads into the compiled one")
    html = '<html lang="de"><head><title>T</title></head><body><div class="a"><p>Hi <a href="x">there</a></p><table><tr><td>1</td></tr></table></div></body></html>'
    script = (
        "import pickle, sys\n"
        "from classifier.extraction import walk\n"
        "assert not walk.COMPILED\n"
        "sys.stdout.buffer.write(pickle.dumps(walk.blocks_from_html(sys.stdin.read())))\n"
    )
    environment = {**os.environ, walk.PURE_PYTHON_VARIABLE: "1"}
    pickled = subprocess.run(
        [sys.executable, "-c", script], input=html.encode(), capture_output=True, check=True, env=environment, timeout=60
    ).stdout
    loaded = pickle.loads(pickled)
    assert type(loaded[0][0]) is dom.RawBlock and type(loaded[1]) is dom.PageInfo
    assert repr(loaded) == walked(compiled, html)
    # And the compiled walker's blocks pickle as constructor calls too.
    blocks, page = compiled.blocks_from_html(html)
    assert repr(pickle.loads(pickle.dumps((blocks, page)))) == walked(compiled, html)


def test_every_walker_parses_the_utf8_bytes_it_is_given(compiled: ModuleType, plain: ModuleType) -> None:
    # The bytes, when given, are the text's own (`decode.decode_page`): they are parsed as they
    # are, not the text encoded again. Other bytes here show which of the two was parsed.
    for module in (plain, compiled, walk.IMPLEMENTATION):
        blocks, _ = module.blocks_from_html("<p>the text</p>", None, b"<p>the bytes</p>")
        assert [block.text for block in blocks] == ["the bytes"], module
        blocks, _, _ = module.blocks_and_columns_from_html("<p>the text</p>", None, None)
        assert [block.text for block in blocks] == ["the text"], module
