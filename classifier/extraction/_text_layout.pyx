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


cdef struct Seen:
    # What the separator before the next block reads of the block before it.
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
        cdef Seen previous
        cdef bint started = False, bullet, heading
        cdef long bulleted_item = -1, flags, item
        cdef Py_ssize_t index, n = keep.shape[0]
        cdef str text, tag
        if n != len(blocks):
            raise ValueError(f"{len(blocks)} blocks but {n} decisions")
        for index in range(n):
            if not keep[index]:
                continue
            block = blocks[index]
            text, tag, flags = block.text, block.tag, block.flags
            heading = tag in self.headings
            bullet = tag == "li" or (flags & self.in_list and (tag == "dd" or tag == "dt"))
            if tag == "li":
                bulleted_item = block.own_element
            elif not bullet and not heading and flags & self.in_list and _under_a_list_item(block.path):
                item = block.parent_element
                if item == bulleted_item:
                    text = "  " + text.replace("\n", "\n  ")  # the item's next paragraph
                elif index == 0 or _outside(item, blocks[index - 1]):
                    bullet, bulleted_item = True, item  # the item's first paragraph
            if bullet:
                text = "- " + text.replace("\n", "\n  ")
            if started:
                parts.append(self._separator(block, flags, tag, heading, &previous))
            parts.append(text)
            started = True
            previous.row, previous.flags, previous.parent = block.row, flags, block.parent_element
            previous.heading, previous.pre_tag = heading, tag == "pre"
        return "".join(parts)

    cdef str _separator(self, block, long flags, str tag, bint heading, const Seen *previous):
        """`layout._separator(block, previous)`."""
        cdef long row = block.row
        if row >= 0 and row == previous.row and not (flags | previous.flags) & self.in_pre:
            return " | "
        cdef bint both_code = flags & self.in_pre and previous.flags & self.in_pre
        if both_code and tag == "pre" and previous.pre_tag:
            return "\n\n"
        if both_code and block.parent_element == previous.parent:
            return "\n"
        if heading and not previous.heading:
            return "\n\n"
        if (flags & self.in_list and previous.flags & self.in_list) or (flags & self.in_table and previous.flags & self.in_table) or previous.heading:
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
