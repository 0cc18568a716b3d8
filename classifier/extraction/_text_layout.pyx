# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""`classifier.extraction.layout.assemble` in Cython: the same text, step by step.

`layout` is the reference and owns the rules (its module docstring) and the constants: it
makes one `TextLayout` with the flag bits and heading tags at import. The blocks are read
through their attributes, as the reference reads them; the per-block decisions (bullets,
separators, the container of a list paragraph) are made in C instead of in Python calls.
"""

from cpython.unicode cimport PyUnicode_FindChar, PyUnicode_READ_CHAR

# The SHA-256 of this file as it was built (setup.py passes it to the compiler; empty when
# built otherwise): `layout` uses no build of another version of it.
cdef extern from *:
    """
    #ifndef PAGESIEVE_BUILT_FROM
    #define PAGESIEVE_BUILT_FROM ""
    #endif
    """
    const char *PAGESIEVE_BUILT_FROM

BUILT_FROM = (<bytes> PAGESIEVE_BUILT_FROM).decode("ascii")


cdef struct Placed:
    # What the separator between two kept blocks reads of each, read once per block.
    long row, flags, parent
    bint heading, pre_tag


cdef class TextLayout:
    """`assemble` with `layout`'s flag bits (`in_list`, `in_pre`, `in_table`) and heading tags."""

    cdef long in_list, in_pre, in_table
    cdef frozenset headings

    def __init__(self, *, long in_list, long in_pre, long in_table, headings) -> None:
        self.in_list, self.in_pre, self.in_table = in_list, in_pre, in_table
        self.headings = frozenset(headings)

    def assemble(self, blocks, const unsigned char[::1] keep) -> str:
        """`layout.assemble(blocks, keep)`, with `keep` as one byte per block (0 or 1)."""
        cdef list parts = []
        cdef Placed here, previous
        cdef bint started = False, bullet
        cdef long bulleted_item = -1
        cdef Py_ssize_t index, n = keep.shape[0]
        cdef str text, tag
        if n != len(blocks):
            raise ValueError(f"{len(blocks)} blocks but {n} decisions")
        for index in range(n):
            if not keep[index]:
                continue
            block = blocks[index]
            text, tag = block.text, block.tag
            here.row, here.flags, here.parent = block.row, block.flags, block.parent_element
            here.heading, here.pre_tag = tag in self.headings, tag == "pre"
            bullet = tag == "li" or (here.flags & self.in_list and (tag == "dd" or tag == "dt"))
            if tag == "li":
                bulleted_item = block.own_element
            elif not bullet and not here.heading and here.flags & self.in_list and _under_a_list_item(block.path):
                if here.parent == bulleted_item:
                    text = "  " + text.replace("\n", "\n  ")  # the item's next paragraph
                elif index == 0 or _outside(here.parent, blocks[index - 1]):
                    bullet, bulleted_item = True, here.parent  # the item's first paragraph
            if bullet:
                text = "- " + text.replace("\n", "\n  ")
            if started:
                parts.append(self._separator(&here, &previous))
            parts.append(text)
            started = True
            previous = here
        return "".join(parts)

    cdef str _separator(self, const Placed *block, const Placed *previous):
        """`layout._separator(block, previous)`."""
        if block.row >= 0 and block.row == previous.row and not (block.flags | previous.flags) & self.in_pre:
            return " | "
        cdef bint both_code = block.flags & self.in_pre and previous.flags & self.in_pre
        if both_code and block.pre_tag and previous.pre_tag:
            return "\n\n"
        if both_code and block.parent == previous.parent:
            return "\n"
        if block.heading and not previous.heading:
            return "\n\n"
        if (
            (block.flags & self.in_list and previous.flags & self.in_list)
            or (block.flags & self.in_table and previous.flags & self.in_table)
            or previous.heading
        ):
            return "\n"
        return "\n\n"


cdef bint _outside(long item, before) except -1:
    """Whether the block `before` a list paragraph is outside its `item`: `item not in
    (before.own_element, before.parent_element)`."""
    return item != before.own_element and item != before.parent_element


cdef bint _under_a_list_item(str path) except -1:
    """`layout._in_list_item`'s test of the path: its segment before the last is "li", or
    starts with "li." or "li#"."""
    cdef Py_ssize_t length = len(path)
    cdef Py_ssize_t last = PyUnicode_FindChar(path, 0x3E, 0, length, -1)  # ">", from the end
    if last < 0:
        return False
    cdef Py_ssize_t before = PyUnicode_FindChar(path, 0x3E, 0, last, -1)
    cdef Py_ssize_t start = before + 1, size = last - start
    if size < 2 or PyUnicode_READ_CHAR(path, start) != 0x6C or PyUnicode_READ_CHAR(path, start + 1) != 0x69:  # "li"
        return False
    if size == 2:
        return True
    cdef Py_UCS4 third = PyUnicode_READ_CHAR(path, start + 2)
    return third == 0x2E or third == 0x23  # "." or "#"
