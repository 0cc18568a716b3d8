"""`classifier.extraction.layout`: the compiled `assemble` lays out the same text as the Python
reference, whichever blocks are kept. (The layout rules themselves are tested through
`extract` in test_extract.py.)"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.extraction import layout
from classifier.extraction.dom import blocks_from_html
from classifier.extraction.layout import assemble
from tests.classifier.extraction.compiled_parts import unavailable

# Pieces of pages for every rule: list items with paragraphs (first, next, in another item),
# definition lists, table rows, code (one block, lines as elements), headings, multi-line text.
_PIECES = st.sampled_from(
    [
        "<p>A paragraph.</p>",
        "<p>Two\nlines<br>of it.</p>",
        "<h2>A heading</h2>",
        "<ul><li>One</li><li>Two<br>lines</li></ul>",
        "<ul><li><p>First paragraph.</p><p>Next paragraph.</p></li><li><p>Another item.</p></li></ul>",
        "<ol><li class='step'><p>Do this.</p><p>Then that.</p></li><li><h3>Step</h3><p>Done.</p></li></ol>",
        "<ul><li id='x1'><p>First.</p><div><p>Deeper.</p></div></li></ul>",
        "<dl><dt>Term</dt><dd>Definition<br>on two lines.</dd></dl>",
        "<table><tr><td>Cell one</td><td>Cell two</td></tr><tr><th>Head</th></tr></table>",
        "<pre>code\n  indented</pre>",
        "<div class='code'><div class='line'>a = 1</div><div class='line'>b = 2</div></div>",
        "<table><tr><td><pre>1\n2</pre></td><td><pre>x\ny</pre></td></tr></table>",
    ]
)


@pytest.fixture(scope="module")
def kernel() -> Any:
    if layout.KERNEL is None:
        unavailable("the layout kernel is not built here")
    return layout.KERNEL


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8), st.data())
def test_the_kernel_lays_out_the_text_as_python_does(kernel: Any, pieces: list[str], data: st.DataObject) -> None:
    blocks, _ = blocks_from_html("".join(pieces))
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(blocks), max_size=len(blocks))), dtype=bool)
    assert assemble(blocks, keep) == layout._assemble(blocks, keep)
    assert assemble(blocks, keep.tolist()) == layout._assemble(blocks, keep)  # a list of bools too


def test_the_kernel_refuses_a_decision_per_block_that_does_not_fit(kernel: Any) -> None:
    blocks, _ = blocks_from_html("<p>One.</p><p>Two.</p>")
    with pytest.raises(ValueError, match="2 blocks but 3 decisions"):
        kernel.assemble(blocks, np.ones(3, dtype=np.uint8))
