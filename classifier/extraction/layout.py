"""Text layout: the kept blocks of a page joined into the plain text users expect.

Paragraphs are separated by a blank line, also before a heading that follows text (inside a list
of cards too); headings and list items stand on their own lines (a list item's paragraphs under
its bullet); the cells of a table row share one line; code blocks keep their line breaks (also
when each line is an element of its own).

`assemble` runs in the compiled kernel `_text_layout` (Cython, built by setup.py) when it is
installed and built from the source beside this file (`KERNEL`), else here, the reference; the
text is the same (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import compiled
from .dom import HEADING_TAGS, IN_LIST, IN_PRE, IN_TABLE, RawBlock

KERNEL_SOURCES = ("_text_layout.pyx",)  # what setup.py stamps the kernel with


def _kernel() -> Any | None:
    """The compiled `assemble` with this module's constants (a `TextLayout`), or None
    (`compiled.load`: not built, stale, or turned off)."""
    module = compiled.load("_text_layout", KERNEL_SOURCES)
    if module is None:
        return None
    return module.TextLayout(in_list=IN_LIST, in_pre=IN_PRE, in_table=IN_TABLE, headings=HEADING_TAGS)


KERNEL = _kernel()  # chosen once at import, like a compiled pattern


def _in_list_item(block: RawBlock) -> bool:
    """A paragraph (not a heading) directly inside a list item: `<li><p>`, as documentation
    generators write every item."""
    if block.tag == "li" or block.tag in HEADING_TAGS or not block.flags & IN_LIST:
        return False
    container = block.path.rsplit(">", 2)[-2] if ">" in block.path else ""
    return container == "li" or container.startswith(("li.", "li#"))


def _separator(block: RawBlock, previous: RawBlock) -> str:
    """What goes between two kept blocks, by what they are and what they sit in."""
    if block.row >= 0 and block.row == previous.row and not (block.flags | previous.flags) & IN_PRE:
        return " | "
    both_code = block.flags & IN_PRE and previous.flags & IN_PRE
    if both_code and block.tag == previous.tag == "pre":
        return "\n\n"
    if both_code and block.parent_element == previous.parent_element:
        return "\n"  # code whose lines are elements (<div class="line">): one block of code
    if block.tag in HEADING_TAGS and previous.tag not in HEADING_TAGS:
        return "\n\n"  # a heading opens a section, also inside a list (cards)
    if (
        (block.flags & IN_LIST and previous.flags & IN_LIST)
        or (block.flags & IN_TABLE and previous.flags & IN_TABLE)
        or previous.tag in HEADING_TAGS
    ):
        return "\n"
    return "\n\n"


def assemble(blocks: Sequence[RawBlock], keep: np.ndarray | Sequence[bool]) -> str:
    """Join the kept blocks into plain text (see the module docstring for the layout)."""
    if KERNEL is not None:
        return str(KERNEL.assemble(blocks, np.ascontiguousarray(keep, dtype=bool).view(np.uint8)))
    return _assemble(blocks, keep)


def _assemble(blocks: Sequence[RawBlock], keep: np.ndarray | Sequence[bool]) -> str:
    """`assemble` in Python: the reference of the kernel."""
    parts: list[str] = []
    previous: RawBlock | None = None
    bulleted_item = -1  # the list item whose first paragraph took the bullet
    for index in np.flatnonzero(keep).tolist():  # the kept blocks alone, as Python ints
        block = blocks[index]
        text = block.text
        bullet = block.tag == "li" or bool(block.flags & IN_LIST and block.tag in ("dd", "dt"))
        if block.tag == "li":
            bulleted_item = block.own_element
        elif not bullet and _in_list_item(block):
            item = block.parent_element
            before = blocks[index - 1] if index else None
            if item == bulleted_item:
                text = "  " + text.replace("\n", "\n  ")  # the item's next paragraph
            elif before is None or item not in (before.own_element, before.parent_element):
                bullet, bulleted_item = True, item  # the item's first paragraph
        if bullet:
            text = "- " + text.replace("\n", "\n  ")
        if previous is not None:
            parts.append(_separator(block, previous))
        parts.append(text)
        previous = block
    return "".join(parts)
