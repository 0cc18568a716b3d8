# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The walker of `classifier.extraction.dom` in Cython, reading Lexbor's node structs directly.

`dom._Walker` is the reference: this module follows it step by step and gives the same blocks
and `PageInfo`, but goes from node to node through the structs (`_lexbor_layout.pxd`, declared
by the project) instead of through a Python object per node, and reads only the attributes the
walker uses instead of a dict of all of them. A block's text is gathered as the UTF-8 bytes of
its text nodes and laid out in C as `dom` lays it out (whitespace collapsed, invisible
characters dropped), then decoded once; the blocks are `dom`'s classes, made by writing their
fields where the class keeps them (`_learn_block_layout`, checked on a block the class makes).
The keyword facts of ASCII class, id and itemprop values are read from their bytes, and the
path segments made, in compiled code (`_attribute_facts.pxi`, tested against `dom`'s); the
facts of other values come from the caller's `AttributeFacts`, and path segments that are not
ASCII are kept in its tables, as its methods keep them. The parse guards of `dom.parse` count
their bytes here (`_parsed`), in the page's UTF-8 bytes as `_utf8.pxi` encodes them.

Lexbor names tags and attributes by ids: small numbers for the names of its static tables,
and otherwise the address of the name's hash entry. `learn_layout()` learns the ids of the
names the walker cares about from the installed selectolax (`create_node`, and a parsed probe
page read both through selectolax's API and through the structs); a mismatch raises
`LayoutMismatch`. `classifier.extraction.cwalk_check` then walks a probe page both ways before
this walker is used at all.
"""

from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.object cimport PyObject, PyTypeObject
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from libc.stdint cimport int64_t, uintptr_t
from libc.string cimport memcpy, memset

from ._lexbor_layout cimport lb_attr, lb_character_data, lb_element, lb_hash_entry, lb_node

from dataclasses import fields
from types import MemberDescriptorType

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from . import dom
from .dom import (
    BLOCK_NUMBER_FIELDS,
    _HIDDEN_STYLE,
    _INVISIBLE,
    _MAX_JSON_LD_CHARS,
    _MAX_META_ENTRIES,
    _MAX_PATH_SEGMENTS,
    _ROLE_FLAGS,
    _TAG_FLAGS,
    _WHITESPACE,
    BLOCK_TAGS,
    HEADING_TAGS,
    MAX_UNCLOSED_TAGS,
    SKIPPED_TAGS,
    AttributeFacts,
    BlockColumns,
    PageInfo,
    RawBlock,
    _close_self_closed_iframes,
    parse,
)


include "_attribute_facts.pxi"
include "_utf8.pxi"

# The SHA-256 of the sources this module was built from (setup.py passes it to the compiler;
# empty when built otherwise): `cwalk_check` uses no build of other sources.
cdef extern from *:
    """
    #ifndef PAGESIEVE_BUILT_FROM
    #define PAGESIEVE_BUILT_FROM ""
    #endif
    """
    const char *PAGESIEVE_BUILT_FROM

BUILT_FROM = (<bytes> PAGESIEVE_BUILT_FROM).decode("ascii")

# A block's numbers as `columns()` keeps them: BLOCK_NUMBER_FIELDS.
cdef enum:
    N_BLOCK_NUMBERS = 10

assert len(BLOCK_NUMBER_FIELDS) == N_BLOCK_NUMBERS

# The fields of `dom.RawBlock`, in order.
cdef enum:
    N_BLOCK_FIELDS = 15

# CPython's descriptor of a __slots__ field: where in the object the field is kept.
cdef extern from "Python.h":
    """
    #include <structmember.h>
    """
    ctypedef struct PyMemberDef:
        const char *name
        int type
        Py_ssize_t offset
        int flags
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    PyObject *PyType_GenericAlloc(PyTypeObject *type, Py_ssize_t items) except NULL
    int T_OBJECT_EX
    int READONLY

# dom's structural flags, as C constants.
cdef long IN_PRE = dom.IN_PRE
cdef long IN_CODE = dom.IN_CODE
cdef long IN_HIDDEN = dom.IN_HIDDEN


include "_layout.pxi"


def _learn_block_layout(Layout layout) -> None:
    """Set `layout.writes_blocks` and the offsets of `dom.RawBlock`'s fields when a block can be
    made by writing its fields where its class keeps them (no Python `__init__` to run for each
    block): a plain class of __slots__ whose `__init__`, made by dataclasses, only stores its
    arguments. A block made so is compared with one the class makes before any other is made."""
    cdef PyMemberDef *member
    layout.writes_blocks = False
    block_fields = fields(RawBlock)
    if not (
        type(RawBlock) is type and RawBlock.__new__ is object.__new__ and not hasattr(RawBlock, "__post_init__")
        and len(block_fields) == N_BLOCK_FIELDS and all(each.init for each in block_fields)
    ):
        return
    for k, each in enumerate(block_fields):
        descriptor = RawBlock.__dict__.get(each.name)
        if type(descriptor) is not MemberDescriptorType:
            return
        member = (<PyMemberDescrObject *> <PyObject *> descriptor).d_member
        if member.type != T_OBJECT_EX or member.flags & READONLY:
            return
        layout.block_offsets[k] = member.offset
    layout.block_type = RawBlock
    values = [f"value {k}" for k in range(N_BLOCK_FIELDS)]
    written = _written_block(
        layout, values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7],
        values[8], values[9], values[10], values[11], values[12], values[13], values[14],
    )
    layout.writes_blocks = repr(written) == repr(RawBlock(*values)) and written == RawBlock(*values)


cdef object _written_block(
    Layout layout, object index, object text, object tag, object path, object path_key, object depth,
    object link_chars, object n_links, object flags, object keywords_all, object keywords_near,
    object own_element, object parent_element, object grandparent_element, object row,
):
    """A `dom.RawBlock` of these fields (in its order), made by writing them into a new object
    where the class keeps them (`_learn_block_layout` found where, and kept the class)."""
    cdef PyObject *values[N_BLOCK_FIELDS]
    values[:] = [
        <PyObject *> index, <PyObject *> text, <PyObject *> tag, <PyObject *> path, <PyObject *> path_key,
        <PyObject *> depth, <PyObject *> link_chars, <PyObject *> n_links, <PyObject *> flags,
        <PyObject *> keywords_all, <PyObject *> keywords_near, <PyObject *> own_element,
        <PyObject *> parent_element, <PyObject *> grandparent_element, <PyObject *> row,
    ]
    cdef PyObject *allocated = PyType_GenericAlloc(<PyTypeObject *> layout.block_type, 0)  # a new reference
    cdef object block = <object> allocated  # (a second one)
    Py_XDECREF(allocated)
    cdef Py_ssize_t k
    for k in range(N_BLOCK_FIELDS):
        Py_INCREF(<object> values[k])
        (<PyObject **> (<char *> allocated + layout.block_offsets[k]))[0] = values[k]
    return block


cdef struct OpenBlock:  # an open block-level element (dom._Walker.block_stack)
    PyObject *tag  # borrowed: the Layout's or the walk's custom_tags hold it
    bint heading
    Py_ssize_t sequence
    long keywords
    # text characters, link characters, blocks, anchors and headings before it
    Py_ssize_t chars, link_chars, blocks, anchors, headings


cdef struct Frame:  # an open element (dom._Walker.frames), without its unused tag
    long flags, keywords, row
    bint is_block, is_link


cdef struct Totals:  # a block-level element's subtree totals (dom.ElementTotals, by element)
    Py_ssize_t chars, link_chars, blocks, parent, anchors, headings, first_block


cdef struct ClassEntry:  # a class attribute value seen on the page
    unsigned char *data  # its bytes (a copy), and their hash
    Py_ssize_t length
    size_t hash  # _hash_bytes
    PyObject *value  # owned: the value decoded, as `_value` gives it
    long keywords  # its facts (`AttributeFacts.class_facts`)
    bint assistive_only
    # The path segment (an owned (segment, key) tuple) of the last element of tag
    # `segment_tag` (borrowed: the Layout or the walk's custom_tags hold it) with this class
    # and no id; NULL when none was made.
    PyObject *segment_tag
    PyObject *segment


cdef int _reserve(void **array, Py_ssize_t *capacity, Py_ssize_t wanted, size_t item_size) except -1:
    """Room for `wanted` items in a growable C array."""
    cdef Py_ssize_t new_capacity
    cdef void *grown
    if wanted <= capacity[0]:
        return 0
    new_capacity = max(wanted, 2 * capacity[0], 64)
    grown = PyMem_Realloc(array[0], new_capacity * item_size)
    if grown == NULL:
        raise MemoryError()
    array[0] = grown
    capacity[0] = new_capacity
    return 0


# UTF-8 text, as str sees it (the bytes are valid UTF-8: `_Walk._add_text` makes sure).

cdef inline Py_ssize_t _char_length(unsigned char first) noexcept nogil:
    """The bytes of the character that starts with `first`."""
    return 1 if first < 0x80 else 2 if first < 0xE0 else 3 if first < 0xF0 else 4


cdef inline Py_ssize_t _space_length(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """The bytes of the character at s[i] if str.isspace() calls it whitespace (U+0009-000D,
    001C-0020, 0085, 00A0, 1680, 2000-200A, 2028, 2029, 202F, 205F, 3000), else 0."""
    cdef unsigned char c = s[i]
    if c < 0x80:
        return 1 if c == 32 or 9 <= c <= 13 or 28 <= c <= 31 else 0
    if c == 0xC2:
        return 2 if i + 1 < end and (s[i + 1] == 0x85 or s[i + 1] == 0xA0) else 0
    if i + 2 >= end:
        return 0
    if c == 0xE1:
        return 3 if s[i + 1] == 0x9A and s[i + 2] == 0x80 else 0
    if c == 0xE2:
        if s[i + 1] == 0x80:
            return 3 if s[i + 2] <= 0x8A or s[i + 2] == 0xA8 or s[i + 2] == 0xA9 or s[i + 2] == 0xAF else 0
        return 3 if s[i + 1] == 0x81 and s[i + 2] == 0x9F else 0
    if c == 0xE3:
        return 3 if s[i + 1] == 0x80 and s[i + 2] == 0x80 else 0
    return 0


cdef inline Py_ssize_t _invisible_length(const unsigned char *s, Py_ssize_t i, Py_ssize_t end) noexcept nogil:
    """The bytes of the character at s[i] if `dom._INVISIBLE` matches it (U+00AD, 200B, 2060,
    FEFF), else 0."""
    cdef unsigned char c = s[i]
    if c == 0xC2:
        return 2 if i + 1 < end and s[i + 1] == 0xAD else 0
    if i + 2 >= end:
        return 0
    if c == 0xE2:
        return 3 if (s[i + 1] == 0x80 and s[i + 2] == 0x8B) or (s[i + 1] == 0x81 and s[i + 2] == 0xA0) else 0
    if c == 0xEF:
        return 3 if s[i + 1] == 0xBB and s[i + 2] == 0xBF else 0
    return 0


cdef bint _all_space(const unsigned char *s, Py_ssize_t length) noexcept nogil:
    """str.isspace() of the text."""
    cdef Py_ssize_t i = 0, step
    while i < length:
        step = _space_length(s, i, length)
        if not step:
            return False
        i += step
    return length > 0


cdef Py_ssize_t _stripped_length(const unsigned char *s, Py_ssize_t length) noexcept nogil:
    """len(text.strip()): the characters from the first to the last that is not whitespace."""
    cdef Py_ssize_t i = 0, step, first = -1, last_end = 0, count = 0
    while i < length:
        step = _space_length(s, i, length)
        if step:
            i += step
            continue
        if first < 0:
            first = i
        i += _char_length(s[i])
        last_end = i
    if first < 0:
        return 0
    for i in range(first, last_end):  # characters: the bytes that do not continue one
        count += (s[i] & 0xC0) != 0x80
    return count


cdef bint _same_tail(list items, Py_ssize_t start, list other):
    """Whether `items[start:]` holds the very objects of `other`, in order."""
    cdef Py_ssize_t k, n = len(other)
    if len(items) - start != n:
        return False
    for k in range(n):
        if items[start + k] is not other[k]:
            return False
    return True


cdef inline bint _is_ascii(const unsigned char *s, Py_ssize_t length) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(length):
        if s[i] & 0x80:
            return False
    return True


cdef inline bint _value_is(lb_attr *attribute, const char *expected, Py_ssize_t length) noexcept:
    """Whether the attribute has this value (the bytes of a str compared with ==)."""
    if attribute == NULL or attribute.value == NULL or attribute.value.data == NULL:
        return False
    return <Py_ssize_t> attribute.value.length == length and memcmp(attribute.value.data, expected, length) == 0


cdef bint _contains_lowered(const unsigned char *s, Py_ssize_t length, const char *word, Py_ssize_t word_length) noexcept:
    """Whether the ASCII-lower-cased bytes hold the lower-case `word`."""
    cdef Py_ssize_t i, k
    for i in range(length - word_length + 1):
        k = 0
        while k < word_length and (s[i + k] | 32 if 65 <= s[i + k] <= 90 else s[i + k]) == <unsigned char> word[k]:
            k += 1
        if k == word_length:
            return True
    return False


cdef bint _may_hide(lb_attr *attribute) noexcept:
    """False when the style attribute's value cannot match `dom._HIDDEN_STYLE` (it is missing,
    or ASCII without "none" or "hidden" in any case); True otherwise (the regex decides)."""
    if attribute == NULL or attribute.value == NULL or attribute.value.data == NULL:
        return False
    cdef const unsigned char *s = attribute.value.data
    cdef Py_ssize_t length = attribute.value.length
    if not _is_ascii(s, length):
        return True
    return _contains_lowered(s, length, b"none", 4) or _contains_lowered(s, length, b"hidden", 6)


cdef bint _valid_utf8(const unsigned char *s, Py_ssize_t length) noexcept nogil:
    """Whether Python's strict UTF-8 decoder takes the bytes (no overlong forms, surrogates
    or code points past U+10FFFF)."""
    cdef Py_ssize_t i = 0
    cdef unsigned char c
    while i < length:
        c = s[i]
        if c < 0x80:
            i += 1
        elif 0xC2 <= c <= 0xDF:
            if i + 1 >= length or s[i + 1] & 0xC0 != 0x80:
                return False
            i += 2
        elif 0xE0 <= c <= 0xEF:
            if i + 2 >= length or s[i + 1] & 0xC0 != 0x80 or s[i + 2] & 0xC0 != 0x80:
                return False
            if (c == 0xE0 and s[i + 1] < 0xA0) or (c == 0xED and s[i + 1] >= 0xA0):
                return False
            i += 3
        elif 0xF0 <= c <= 0xF4:
            if i + 3 >= length or s[i + 1] & 0xC0 != 0x80 or s[i + 2] & 0xC0 != 0x80 or s[i + 3] & 0xC0 != 0x80:
                return False
            if (c == 0xF0 and s[i + 1] < 0x90) or (c == 0xF4 and s[i + 1] >= 0x90):
                return False
            i += 4
        else:
            return False
    return True


cdef class _Walk:
    """The state of one walk, as `dom._Walker`'s; `run()` returns the blocks."""

    cdef Layout layout
    cdef object facts
    # The facts' table of path segments, read directly (its method fills it on a miss).
    cdef dict known_segments
    cdef Py_ssize_t max_entries  # of the table: it is emptied when full
    cdef public object page
    cdef public list blocks
    cdef list segments, segment_keys, link_targets, link_blocks
    # The open block's text so far, as `dom._Walker`'s pieces and lines: UTF-8 bytes (valid:
    # as selectolax decodes them), the lines cut by <br> ending at `line_ends`; and the
    # buffer `flush` lays the text out in.
    cdef unsigned char *text
    cdef Py_ssize_t text_length, text_capacity
    cdef Py_ssize_t *line_ends
    cdef Py_ssize_t n_lines, line_ends_capacity
    cdef unsigned char *laid_out
    cdef Py_ssize_t laid_out_capacity
    # The last block's path and path key, kept while the open blocks stay the same (the
    # paragraphs of one container share them): `paths_changed` is set on every push and pop.
    # Also kept when the segments they were joined from (`joined`, `joined_keys`) are the same
    # objects again: the next item of a list, the next paragraph after a closed one.
    cdef str last_path, last_path_key
    cdef bint paths_changed
    cdef list joined, joined_keys
    # Each block's numbers as `dom.BlockColumns` has them: BLOCK_NUMBER_FIELDS, and the number
    # of its path key (`path_numbers`: by first appearance; `last_path_number`: the last block's).
    cdef int64_t *block_numbers
    cdef int64_t *block_paths
    cdef Py_ssize_t block_numbers_capacity, block_paths_capacity
    cdef dict path_numbers
    cdef Py_ssize_t last_path_number
    cdef dict custom_tags, custom_attributes
    # The codes of custom attribute names (ids that are addresses) seen last, by a hash of the id.
    cdef uintptr_t recent_attribute_ids[RECENT]
    cdef signed char recent_attribute_codes[RECENT]
    cdef OpenBlock *block_stack
    cdef Py_ssize_t n_open_blocks, open_blocks_capacity
    cdef Frame *frames
    cdef Py_ssize_t n_frames, frames_capacity
    cdef Totals *totals
    cdef Py_ssize_t n_totals, totals_capacity
    # The page's class values, decoded and looked up once each: `class_slots` is an
    # open-addressing table of entry numbers plus one (0: empty), `class_slot_count` a power of 2.
    cdef ClassEntry *class_entries
    cdef Py_ssize_t n_class_entries, class_entries_capacity
    cdef Py_ssize_t *class_slots
    cdef Py_ssize_t class_slot_count
    cdef Py_ssize_t link_chars, n_links, total_chars, total_link_chars, total_headings
    cdef Py_ssize_t anchors, forms, images, link_depth
    cdef long flags, keywords, row
    cdef bint pending_space
    cdef public bint iframe_with_content
    # The tag just looked up by _tag: its flags and name.
    cdef int found_flags
    cdef object found_name
    # The attributes of the element just read by _read_attributes.
    cdef lb_attr *slots[N_ATTRIBUTES]

    def __init__(self, Layout layout, facts: object) -> None:
        self.layout = layout
        self.facts = facts
        # The table of a `dom.AttributeFacts` or of its mypyc-compiled copy (same fields).
        segments = getattr(facts, "segments", None)
        if type(segments) is dict:
            self.known_segments = segments
            self.max_entries = facts.MAX_ENTRIES
        self.page = PageInfo()
        self.link_targets = self.page.link_targets
        self.link_blocks = self.page.link_blocks
        self.blocks = []
        self.segments = []
        self.segment_keys = []
        self.paths_changed = True
        self.joined = []
        self.joined_keys = []
        self.path_numbers = {}
        self.custom_tags = {}
        self.custom_attributes = {}
        self.row = -1

    def __dealloc__(self):
        PyMem_Free(self.block_numbers)
        PyMem_Free(self.block_paths)
        PyMem_Free(self.block_stack)
        PyMem_Free(self.frames)
        PyMem_Free(self.totals)
        PyMem_Free(self.text)
        PyMem_Free(self.line_ends)
        PyMem_Free(self.laid_out)
        cdef Py_ssize_t k
        for k in range(self.n_class_entries):
            PyMem_Free(self.class_entries[k].data)
            Py_XDECREF(self.class_entries[k].value)
            Py_XDECREF(self.class_entries[k].segment)
        PyMem_Free(self.class_entries)
        PyMem_Free(self.class_slots)

    # The next three are `AttributeFacts.class_facts`, `keyword_bits` and `path_segment` for
    # values that are not ASCII (those of ASCII values are read from their bytes, by
    # `KeywordTable.scan`), kept in its tables as its methods keep them; path segments of ASCII
    # values are made here (_attribute_facts.pxi) and not kept.

    cdef Py_ssize_t _class_entry(self, const unsigned char *data, Py_ssize_t length) except -1:
        """The number of the page's entry for the class value of these bytes, made on their
        first sight (decoded as `_value` decodes it; its facts read from its bytes when they
        are ASCII, else by `_class_facts`)."""
        cdef size_t hash = _hash_bytes(data, length)
        cdef Py_ssize_t slot, number
        cdef ClassEntry *entry
        if 2 * (self.n_class_entries + 1) > self.class_slot_count:
            self._grow_class_slots()
        slot = hash & (self.class_slot_count - 1)
        while self.class_slots[slot]:
            entry = &self.class_entries[self.class_slots[slot] - 1]
            if entry.hash == hash and entry.length == length and memcmp(entry.data, data, length) == 0:
                return self.class_slots[slot] - 1
            slot = (slot + 1) & (self.class_slot_count - 1)
        cdef long keywords = 0
        cdef bint assistive_only = False
        if _is_ascii(data, length):  # the facts from the bytes: no str, no table
            self.layout.keywords.scan(data, length, &keywords, &assistive_only)
            value = PyUnicode_DecodeASCII(<const char *> data, length, NULL)
        else:
            value = _decode(data, length)
            keywords, assistive_only = self._class_facts(value)
        number = self.n_class_entries
        _reserve(<void **> &self.class_entries, &self.class_entries_capacity, number + 1, sizeof(ClassEntry))
        entry = &self.class_entries[number]
        entry.data = <unsigned char *> PyMem_Malloc(length)
        if entry.data == NULL:
            raise MemoryError()
        memcpy(entry.data, data, length)
        entry.length, entry.hash = length, hash
        Py_INCREF(value)
        entry.value = <PyObject *> value
        entry.keywords, entry.assistive_only = keywords, assistive_only
        entry.segment_tag = entry.segment = NULL
        self.n_class_entries += 1
        self.class_slots[slot] = number + 1
        return number

    cdef int _grow_class_slots(self) except -1:
        cdef Py_ssize_t count = max(64, 2 * self.class_slot_count), k, slot
        cdef Py_ssize_t *slots = <Py_ssize_t *> PyMem_Calloc(count, sizeof(Py_ssize_t))
        if slots == NULL:
            raise MemoryError()
        for k in range(self.n_class_entries):
            slot = self.class_entries[k].hash & (count - 1)
            while slots[slot]:
                slot = (slot + 1) & (count - 1)
            slots[slot] = k + 1
        PyMem_Free(self.class_slots)
        self.class_slots, self.class_slot_count = slots, count
        return 0

    cdef tuple _class_facts(self, str value):
        """`AttributeFacts.class_facts` of a value that is not ASCII."""
        return <tuple> self.facts.class_facts(value)

    cdef long _attribute_keyword_bits(self, lb_attr *attribute) except? -1:
        """`_keyword_bits` of an attribute's value (0 when it has none or it is empty), from
        its bytes when they are ASCII."""
        cdef long bits = 0
        cdef bint assistive = False
        if attribute == NULL or attribute.value == NULL or attribute.value.data == NULL or not attribute.value.length:
            return 0
        if _is_ascii(attribute.value.data, attribute.value.length):
            self.layout.keywords.scan(attribute.value.data, attribute.value.length, &bits, &assistive)
            return bits
        return self._keyword_bits(_value(attribute))

    cdef long _keyword_bits(self, str value) except? -1:
        """`AttributeFacts.keyword_bits` of a value that is not ASCII."""
        return <long> self.facts.keyword_bits(value)

    cdef tuple _path_segment(self, str tag, object id_value, object class_value):
        cdef dict known = self.known_segments
        found = ascii_path_segment(tag, id_value, class_value)
        if found is not None:  # made faster than looked up: not kept
            return <tuple> found
        if known is None:
            return self.facts.path_segment(tag, id_value, class_value)
        key = (tag, id_value, class_value)
        found = known.get(key)
        if found is None:
            if len(known) >= self.max_entries:
                known.clear()
            found = path_segment(tag, id_value, class_value)
            known[key] = found
        return <tuple> found

    cdef tuple _class_path_segment(self, str tag, Py_ssize_t class_entry):
        """`_path_segment` of an element with this tag, the class of entry `class_entry` and
        no id, kept in the entry while the tag stays the same."""
        cdef ClassEntry *entry = &self.class_entries[class_entry]
        if entry.segment != NULL and entry.segment_tag == <PyObject *> tag:
            return <tuple> entry.segment
        found = self._path_segment(tag, None, <object> entry.value)
        Py_XDECREF(entry.segment)
        Py_INCREF(found)
        entry.segment, entry.segment_tag = <PyObject *> found, <PyObject *> tag
        return found

    cdef int _tag(self, lb_node *node) except -1:
        """The T_* bits of an element; its flags and name in found_flags and found_name."""
        cdef uintptr_t name_id = _element_name_id(node)
        cdef Layout layout = self.layout
        if name_id < STATIC_IDS:
            self.found_flags = layout.tag_flags[name_id]
            self.found_name = layout.tag_names[name_id]
            return layout.tag_codes[name_id]
        if name_id < POINTER_IDS:
            self.found_flags = 0
            self.found_name = None
            return 0
        found = self.custom_tags.get(name_id)
        if found is None:
            name = _hash_name(name_id)
            found = (tag_code(name) if name else T_NOT_CONTENT, _TAG_FLAGS.get(name, 0), name)
            self.custom_tags[name_id] = found
        self.found_flags = found[1]
        self.found_name = found[2]
        return found[0]

    cdef int _read_attributes(self, lb_node *node) except -1:
        """Fill `slots` with the element's attributes the walker reads (the last of a name
        wins, as in a dict)."""
        cdef lb_attr *attribute = (<lb_element *> node).first_attr
        cdef uintptr_t name_id
        cdef int code
        cdef signed char *codes = self.layout.attribute_codes
        memset(self.slots, 0, sizeof(self.slots))
        while attribute != NULL:
            name_id = _attribute_name_id(attribute)
            if name_id < STATIC_IDS:
                code = codes[name_id]
            elif name_id < POINTER_IDS:
                code = -1
            elif self.recent_attribute_ids[(name_id >> 4) & (RECENT - 1)] == name_id:
                code = self.recent_attribute_codes[(name_id >> 4) & (RECENT - 1)]
            else:
                found = self.custom_attributes.get(name_id)
                if found is None:
                    name = _hash_name(name_id)
                    found = ATTRIBUTE_NAMES.index(name) if name in ATTRIBUTE_NAMES else -1
                    self.custom_attributes[name_id] = found
                code = found
                self.recent_attribute_ids[(name_id >> 4) & (RECENT - 1)] = name_id
                self.recent_attribute_codes[(name_id >> 4) & (RECENT - 1)] = code
            if code >= 0:
                self.slots[code] = attribute
            attribute = attribute.next
        return 0

    cdef str _text_deep(self, lb_node *root):
        """`node.text(deep=True)`: the bytes of all text below, decoded once."""
        cdef lb_node *node = root.first_child
        cdef lb_character_data *text
        cdef uintptr_t text_id = self.layout.text_id
        buffer = bytearray()
        while node != NULL:
            if node.local_name == text_id:
                text = <lb_character_data *> node
                if text.data.data != NULL:
                    buffer += text.data.data[: text.data.length]
            if node.first_child != NULL:
                node = node.first_child
            else:
                while node != root and node.next == NULL:
                    node = node.parent
                if node == root:
                    break
                node = node.next
        if not buffer:
            return ""
        return PyUnicode_DecodeUTF8(buffer, len(buffer), "replace")

    cdef inline bint _has_text(self):
        """Whether the open block has text (dom's `pieces or lines`)."""
        return self.text_length > 0 or self.n_lines > 0

    cdef inline bint _line_has_text(self):
        """Whether the open line has text (dom's `pieces`)."""
        return self.text_length > (self.line_ends[self.n_lines - 1] if self.n_lines else 0)

    cdef int _append(self, const unsigned char *data, Py_ssize_t length) except -1:
        _reserve(<void **> &self.text, &self.text_capacity, self.text_length + length, 1)
        memcpy(self.text + self.text_length, data, length)
        self.text_length += length
        return 0

    cdef int _break_line(self) except -1:
        _reserve(<void **> &self.line_ends, &self.line_ends_capacity, self.n_lines + 1, sizeof(Py_ssize_t))
        self.line_ends[self.n_lines] = self.text_length
        self.n_lines += 1
        self.pending_space = False
        return 0

    cdef str _preformatted_text(self):
        """The open block's text as dom lays out preformatted text: lines right-stripped,
        without the invisible characters."""
        cdef Py_ssize_t k, start = 0
        lines = []
        for k in range(self.n_lines):
            lines.append(_decode(self.text + start, self.line_ends[k] - start))
            start = self.line_ends[k]
        last_line = _decode(self.text + start, self.text_length - start)
        if _INVISIBLE.search(last_line) or (lines and _INVISIBLE.search("".join(lines))):
            last_line = _INVISIBLE.sub("", last_line)
            lines = [_INVISIBLE.sub("", line) for line in lines]
        lines.append(last_line)
        text = "\n".join([line.rstrip() for line in lines]).strip("\n")
        return text if text.strip() else ""

    cdef str _collapsed_text(self):
        """The open block's text as dom lays it out: without the invisible characters, each
        line's whitespace collapsed (`" ".join(line.split())`), the lines that are left
        joined by newlines."""
        cdef const unsigned char *text = self.text
        cdef Py_ssize_t k, i, step, line_start, written, line_end, start = 0, length = 0
        cdef bint space
        _reserve(<void **> &self.laid_out, &self.laid_out_capacity, self.text_length + self.n_lines + 1, 1)
        cdef unsigned char *out = self.laid_out
        for k in range(self.n_lines + 1):
            line_end = self.line_ends[k] if k < self.n_lines else self.text_length
            line_start = written = length + 1 if length else 0  # after a newline, if a line went before
            space = False
            i = start
            while i < line_end:
                if text[i] < 0x80 and text[i] != 32 and not 9 <= text[i] <= 13 and not 28 <= text[i] <= 31:
                    if space:  # ASCII other than whitespace: the most common case, first
                        out[written] = 32
                        written += 1
                        space = False
                    out[written] = text[i]
                    written += 1
                    i += 1
                    continue
                step = _space_length(text, i, line_end)
                if step:
                    space = written > line_start
                    i += step
                    continue
                step = _invisible_length(text, i, line_end)
                if step:
                    i += step
                    continue
                if space:
                    out[written] = 32
                    written += 1
                    space = False
                step = _char_length(text[i])
                memcpy(out + written, text + i, step)
                written += step
                i += step
            if written > line_start:
                if length:
                    out[length] = 10
                length = written
            start = line_end
        return _decode(out, length)

    cdef int flush(self, long flags, long keywords, long row, Py_ssize_t depth) except -1:
        if not self._has_text():
            return 0
        cdef str text = self._preformatted_text() if flags & IN_PRE else self._collapsed_text()
        self.text_length = 0
        self.n_lines = 0
        self.pending_space = False
        cdef Py_ssize_t link_chars = self.link_chars, n_links = self.n_links
        self.link_chars = 0
        self.n_links = 0
        if not text:
            return 0
        cdef Py_ssize_t n_chars = len(text)
        link_chars = min(link_chars, n_chars)
        self.total_chars += n_chars
        self.total_link_chars += link_chars
        cdef OpenBlock *stack = self.block_stack
        cdef Py_ssize_t height = self.n_open_blocks
        tag = <object> stack[height - 1].tag if height else "body"
        if height and stack[height - 1].heading:
            self.total_headings += 1
        cdef Py_ssize_t own = stack[height - 1].sequence if height else -1
        cdef Py_ssize_t parent = stack[height - 2].sequence if height > 1 else own
        cdef Py_ssize_t grandparent = stack[height - 3].sequence if height > 2 else parent
        cdef long near = 0
        cdef Py_ssize_t i
        for i in range(max(0, height - 3), height):
            near |= stack[i].keywords
        cdef Py_ssize_t start
        if self.paths_changed:
            start = max(0, len(self.segments) - _MAX_PATH_SEGMENTS)
            if not (_same_tail(self.segments, start, self.joined) and _same_tail(self.segment_keys, start, self.joined_keys)):
                self.joined = self.segments[start:]
                self.joined_keys = self.segment_keys[start:]
                self.last_path = ">".join(self.joined)
                self.last_path_key = ">".join(self.joined_keys)
                self.last_path_number = self.path_numbers.setdefault(self.last_path_key, len(self.path_numbers))
            self.paths_changed = False
        cdef Py_ssize_t index = len(self.blocks)
        _reserve(<void **> &self.block_numbers, &self.block_numbers_capacity, (index + 1) * N_BLOCK_NUMBERS, sizeof(int64_t))
        cdef int64_t *numbers = self.block_numbers + index * N_BLOCK_NUMBERS
        numbers[0], numbers[1], numbers[2], numbers[3], numbers[4] = n_links, link_chars, depth, flags, keywords
        numbers[5], numbers[6], numbers[7], numbers[8], numbers[9] = near, own, parent, grandparent, row
        _reserve(<void **> &self.block_paths, &self.block_paths_capacity, index + 1, sizeof(int64_t))
        self.block_paths[index] = self.last_path_number
        if self.layout.writes_blocks:
            block = _written_block(
                self.layout, index, text, tag, self.last_path, self.last_path_key,
                depth, link_chars, n_links, flags, keywords, near, own, parent, grandparent, row,
            )
        else:
            block = RawBlock(
                index, text, tag, self.last_path, self.last_path_key,
                depth, link_chars, n_links, flags, keywords, near, own, parent, grandparent, row,
            )
        self.blocks.append(block)
        return 0

    def columns(self) -> BlockColumns:
        """The blocks' numbers as `dom.BlockColumns`, from what `flush` kept of each."""
        cdef Py_ssize_t n = len(self.blocks)
        numbers, paths = np.empty((n, N_BLOCK_NUMBERS), dtype=np.int64), np.empty(n, dtype=np.int64)
        cdef int64_t[:, ::1] numbers_view = numbers
        cdef int64_t[::1] paths_view = paths
        if n:
            memcpy(&numbers_view[0, 0], self.block_numbers, n * N_BLOCK_NUMBERS * sizeof(int64_t))
            memcpy(&paths_view[0], self.block_paths, n * sizeof(int64_t))
        return BlockColumns(numbers, paths, list(self.path_numbers))

    cdef int read_special(self, str tag, lb_node *node) except -1:
        """Metadata from elements that are skipped as content (`dom._Walker.read_special`)."""
        cdef lb_node *child
        cdef int code
        page = self.page
        if tag == "head" or tag == "noembed":
            child = node.first_child
            while child != NULL:
                if child.type == NODE_ELEMENT and child.local_name != self.layout.text_id:
                    code = self._tag(child)
                    if code & T_HEAD_CHILD:
                        self.read_special(self.found_name, child)
                child = child.next
            return 0
        if tag == "title":
            if not page.title:
                page.title = _WHITESPACE.sub(" ", self._text_deep(node)).strip()
            return 0
        if tag == "img" or tag == "picture":
            self.images += 1
            return 0
        self._read_attributes(node)
        if tag == "meta":
            key = _value(self.slots[A_PROPERTY]) or _value(self.slots[A_NAME]) or _value(self.slots[A_ITEMPROP])
            content = _value(self.slots[A_CONTENT])
            if key and content and len(page.meta) < _MAX_META_ENTRIES:
                page.meta.setdefault(key.strip().lower(), content.strip())
            else:
                http_equiv = _value(self.slots[A_HTTP_EQUIV])
                if http_equiv and content:
                    page.meta.setdefault("http-equiv:" + http_equiv.lower(), content)
        elif tag == "link":
            rel = (_value(self.slots[A_REL]) or "").lower().split()
            if "canonical" in rel and not page.canonical:
                page.canonical = (_value(self.slots[A_HREF]) or "").strip()
        elif tag == "script":
            if (_value(self.slots[A_TYPE]) or "").strip().lower() == "application/ld+json":
                text = self._text_deep(node)
                if text and sum(map(len, page.json_ld)) + len(text) <= _MAX_JSON_LD_CHARS:
                    page.json_ld.append(text)
        return 0

    def run(self, tree: object) -> list:
        """Walk the tree in document order and return the blocks."""
        cdef lb_node *node
        cdef lb_node *child
        cdef Py_ssize_t i
        root = tree.root
        if root is None:
            return self.blocks
        language = root.attributes.get("lang") if root.tag == "html" else None
        self.page.language = (language or "").strip()
        node = <lb_node *> _address(root)
        while node != NULL:
            child = self._visit(node)
            node = child if child != NULL else self._leave(node)
        self.flush(self.flags, self.keywords, self.row, 0)
        page = self.page
        page.n_links = self.anchors
        page.n_forms = self.forms
        page.n_images = self.images
        cdef Totals *totals = self.totals
        cdef Py_ssize_t n = self.n_totals
        elements = page.elements
        elements.chars.extend([totals[i].chars for i in range(n)])
        elements.link_chars.extend([totals[i].link_chars for i in range(n)])
        elements.blocks.extend([totals[i].blocks for i in range(n)])
        elements.parent.extend([totals[i].parent for i in range(n)])
        elements.anchors.extend([totals[i].anchors for i in range(n)])
        elements.headings.extend([totals[i].headings for i in range(n)])
        elements.first_block.extend([totals[i].first_block for i in range(n)])
        return self.blocks

    cdef lb_node *_visit(self, lb_node *node) except? NULL:
        """Read one node; return its first child when the walk goes into it, else NULL."""
        cdef lb_character_data *text
        cdef int code
        cdef long class_keywords = 0
        if node.local_name == self.layout.text_id:
            if node.type == NODE_TEXT:
                text = <lb_character_data *> node
                if text.data.data != NULL and text.data.length:
                    self._add_text(text.data.data, text.data.length)
            return NULL
        if node.type != NODE_ELEMENT:
            return NULL  # comments, doctype
        code = self._tag(node)
        if code & T_NOT_CONTENT:
            return NULL
        tag = self.found_name
        if code & T_SKIP:
            self._skip(code, tag, node)
            return NULL
        if code & (T_BR | T_WBR):
            if code & T_BR:
                self._break_line()
            return NULL
        cdef bint has_attributes = (<lb_element *> node).first_attr != NULL
        cdef lb_attr *class_attribute
        cdef ClassEntry *entry
        cdef Py_ssize_t class_entry = -1
        class_value = None
        if has_attributes:
            self._read_attributes(node)
            class_attribute = self.slots[A_CLASS]
            if class_attribute != NULL and class_attribute.value != NULL and class_attribute.value.data != NULL and class_attribute.value.length:
                class_entry = self._class_entry(class_attribute.value.data, class_attribute.value.length)
                entry = &self.class_entries[class_entry]
                if entry.assistive_only:
                    return NULL
                class_value, class_keywords = <object> entry.value, entry.keywords
            else:
                class_value = _value(class_attribute)  # None, or an empty value
        return self._open(code, tag, node, has_attributes, class_value, class_keywords, class_entry)

    cdef int _add_text(self, const unsigned char *data, Py_ssize_t length) except -1:
        """A text node's bytes (dom's `_add_text`); bytes that are not UTF-8 are first
        decoded as selectolax decodes them (bad bytes replaced) and encoded again."""
        cdef object decoded
        if not _valid_utf8(data, length):
            decoded = _decode(data, length)
            data = <const unsigned char *> PyUnicode_AsUTF8AndSize(decoded, &length)
        self.pending_space = False
        if self._has_text() or self.flags & IN_PRE or not _all_space(data, length):
            self._append(data, length)
            if self.link_depth:
                self.link_chars += _stripped_length(data, length)
        return 0

    cdef int _skip(self, int code, str tag, lb_node *node) except -1:
        if code & T_SPECIAL:
            self.read_special(tag, node)
        elif code & T_SELECT:
            if self._line_has_text():
                self.pending_space = True
        elif code & T_IFRAME and node.first_child != NULL:
            self.iframe_with_content = True
        return 0

    cdef lb_node *_open(
        self, int code, str tag, lb_node *node, bint has_attributes, object class_value, long class_keywords,
        Py_ssize_t class_entry,
    ) except? NULL:
        """An element that may hold content (`dom._Walker._open`)."""
        cdef long own_flags = self.found_flags
        cdef long own_keywords = 0
        cdef bint is_block = code & T_BLOCK
        cdef bint is_link = code & T_A
        cdef Py_ssize_t sequence = -1
        if has_attributes:
            own_keywords = class_keywords
            own_keywords |= self._attribute_keyword_bits(self.slots[A_ID])
            role = _value(self.slots[A_ROLE])
            if role:
                own_flags |= <long> _ROLE_FLAGS.get(role.strip().lower(), 0)
            if self.slots[A_HIDDEN] != NULL or _value_is(self.slots[A_ARIA_HIDDEN], b"true", 4):
                own_flags |= IN_HIDDEN
            elif _may_hide(self.slots[A_STYLE]):
                style = _value(self.slots[A_STYLE])
                if style and _HIDDEN_STYLE.search(style):
                    own_flags |= IN_HIDDEN
            own_keywords |= self._attribute_keyword_bits(self.slots[A_ITEMPROP])
        # Page-level counts, as dom._Walker._count.
        if is_link:
            self.n_links += 1
            self.anchors += 1
            if has_attributes:
                target = _link_target(self.slots[A_HREF])
                if target is not None:
                    self.link_targets.append(target)
                    self.link_blocks.append(len(self.blocks))
        elif code & T_FORM:
            self.forms += 1
        elif code & T_TIME and not self.page.time_datetime:
            self.page.time_datetime = ((_value(self.slots[A_DATETIME]) if has_attributes else None) or "").strip()
        if is_block:
            sequence = self._open_block(tag, code & T_HEADING, own_keywords, class_value, has_attributes, class_entry)
        elif self.pending_space:
            if not self.flags & (IN_PRE | IN_CODE):
                self._append(<const unsigned char *> b" ", 1)
            self.pending_space = False
        cdef lb_node *child = node.first_child
        if child == NULL:
            if is_block:
                self._close_block()
            return NULL
        _reserve(<void **> &self.frames, &self.frames_capacity, self.n_frames + 1, sizeof(Frame))
        cdef Frame *frame = &self.frames[self.n_frames]
        frame.flags = self.flags
        frame.keywords = self.keywords
        frame.row = self.row
        frame.is_block = is_block
        frame.is_link = is_link
        self.n_frames += 1
        self.flags |= own_flags
        self.keywords |= own_keywords
        if code & T_TR:
            self.row = sequence
        if is_link:
            self.link_depth += 1
        return child

    cdef Py_ssize_t _open_block(
        self, str tag, bint heading, long own_keywords, object class_value, bint has_attributes, Py_ssize_t class_entry,
    ) except -2:
        """Open a block-level element (`dom._Walker._open_block`); the attribute slots are still
        those of its element."""
        id_value = _value(self.slots[A_ID]) if has_attributes else None
        if self._has_text():
            self.flush(self.flags, self.keywords, self.row, self.n_frames)
        self.pending_space = False
        self.n_links = 0
        cdef Py_ssize_t sequence = self.n_totals
        cdef Py_ssize_t n_blocks = len(self.blocks)
        _reserve(<void **> &self.totals, &self.totals_capacity, sequence + 1, sizeof(Totals))
        cdef Totals *totals = &self.totals[sequence]
        totals.chars = totals.link_chars = totals.blocks = totals.anchors = totals.headings = 0
        totals.parent = self.block_stack[self.n_open_blocks - 1].sequence if self.n_open_blocks else -1
        totals.first_block = n_blocks
        self.n_totals += 1
        _reserve(<void **> &self.block_stack, &self.open_blocks_capacity, self.n_open_blocks + 1, sizeof(OpenBlock))
        cdef OpenBlock *entry = &self.block_stack[self.n_open_blocks]
        entry.tag = <PyObject *> tag
        entry.heading = heading
        entry.sequence = sequence
        entry.keywords = own_keywords
        entry.chars = self.total_chars
        entry.link_chars = self.total_link_chars
        entry.blocks = n_blocks
        entry.anchors = self.anchors
        entry.headings = self.total_headings
        self.n_open_blocks += 1
        if class_entry >= 0 and id_value is None:
            segment, key = self._class_path_segment(tag, class_entry)
        elif has_attributes:
            segment, key = self._path_segment(tag, id_value, class_value)
        else:
            segment, key = tag, tag
        self.segments.append(segment)
        self.segment_keys.append(key)
        self.paths_changed = True
        return sequence

    cdef lb_node *_leave(self, lb_node *node) except? NULL:
        """The next node after `node`'s subtree, closing finished ancestors on the way up."""
        cdef Frame frame
        while True:
            if node.next != NULL:
                return node.next
            if not self.n_frames:
                return NULL
            self.n_frames -= 1
            frame = self.frames[self.n_frames]
            if frame.is_block:
                if self._has_text():
                    self.flush(self.flags, self.keywords, self.row, self.n_frames + 1)
                self._close_block()
            else:
                self.pending_space = True
            self.flags = frame.flags
            self.keywords = frame.keywords
            self.row = frame.row
            if frame.is_link:
                self.link_depth -= 1
            node = node.parent

    cdef int _close_block(self) except -1:
        self.pending_space = False
        self.n_links = 0
        self.n_open_blocks -= 1
        cdef OpenBlock *entry = &self.block_stack[self.n_open_blocks]
        self.segments.pop()
        self.segment_keys.pop()
        self.paths_changed = True
        cdef Totals *totals = &self.totals[entry.sequence]
        totals.chars = self.total_chars - entry.chars
        totals.link_chars = self.total_link_chars - entry.link_chars
        totals.blocks = len(self.blocks) - entry.blocks
        totals.anchors = self.anchors - entry.anchors
        totals.headings = self.total_headings - entry.headings
        return 0


cdef inline bint _ascii_space(unsigned char byte) noexcept nogil:
    """Whether the byte is a character `str.strip()` strips: ASCII whitespace and U+001C-001F."""
    return byte == 0x20 or 0x09 <= byte <= 0x0D or 0x1C <= byte <= 0x1F


cdef object _link_target(lb_attr *href):
    """`value.partition("#")[0].strip()` of a non-empty href value (`dom._Walker._count`), else
    None. Only the bytes before any "#", less ASCII whitespace at both ends, are decoded: "#"
    and those are single bytes in UTF-8, and the decoder starts afresh after an ASCII byte. When
    a byte past ASCII is at either end (it may begin whitespace that is not ASCII), str does it."""
    if href == NULL or href.value == NULL or href.value.data == NULL or href.value.length == 0:
        return None
    cdef const unsigned char *data = href.value.data
    cdef Py_ssize_t length = href.value.length, start = 0, end = 0
    while end < length and data[end] != 0x23:  # "#"
        end += 1
    while start < end and _ascii_space(data[start]):
        start += 1
    while end > start and _ascii_space(data[end - 1]):
        end -= 1
    if start < end and (data[start] >= 0x80 or data[end - 1] >= 0x80):
        return _decode(data, length).partition("#")[0].strip()
    return _decode(data + start, end - start)


cdef extern from *:
    """
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif

    /* How many of the bytes are `a` and how many `b`, in one pass: sixteen bytes at a time in
       byte-wide counters (SSE2, which every x86-64 has), added up every 255 blocks, before
       they can overflow; a byte at a time elsewhere. */
    static void pagesieve_count_bytes(const unsigned char *data, Py_ssize_t length, unsigned char a, unsigned char b,
                                      Py_ssize_t *count_a, Py_ssize_t *count_b) {
        Py_ssize_t i = 0, found_a = 0, found_b = 0;
    #if defined(__SSE2__)
        const __m128i byte_a = _mm_set1_epi8((char)a), byte_b = _mm_set1_epi8((char)b), zero = _mm_setzero_si128();
        while (length - i >= 16) {
            __m128i counts_a = zero, counts_b = zero;
            Py_ssize_t blocks = (length - i) / 16 < 255 ? (length - i) / 16 : 255;
            for (Py_ssize_t k = 0; k < blocks; k++, i += 16) {
                __m128i bytes = _mm_loadu_si128((const __m128i *)(data + i));
                counts_a = _mm_sub_epi8(counts_a, _mm_cmpeq_epi8(bytes, byte_a));
                counts_b = _mm_sub_epi8(counts_b, _mm_cmpeq_epi8(bytes, byte_b));
            }
            __m128i sums_a = _mm_sad_epu8(counts_a, zero), sums_b = _mm_sad_epu8(counts_b, zero);
            found_a += _mm_cvtsi128_si32(sums_a) + _mm_extract_epi16(sums_a, 4);
            found_b += _mm_cvtsi128_si32(sums_b) + _mm_extract_epi16(sums_b, 4);
        }
    #endif
        for (; i < length; i++) {
            found_a += data[i] == a;
            found_b += data[i] == b;
        }
        *count_a = found_a;
        *count_b = found_b;
    }
    """
    void _count_bytes "pagesieve_count_bytes" (
        const unsigned char *data, Py_ssize_t length, unsigned char a, unsigned char b, Py_ssize_t *count_a, Py_ssize_t *count_b
    ) noexcept nogil


def count_bytes(const unsigned char[::1] data, unsigned char a, unsigned char b) -> tuple:
    """How many of the bytes of `data` are `a` and how many `b` (a door for the tests)."""
    cdef Py_ssize_t count_a = 0, count_b = 0
    if data.shape[0]:
        _count_bytes(&data[0], data.shape[0], a, b, &count_a, &count_b)
    return count_a, count_b


cdef object _parsed(str html, object utf8):
    """`dom.parse(html, utf8)`, with its guards' counts of "=" and "<" made here: a page with
    more of either than `dom.MAX_UNCLOSED_TAGS` goes to `dom.parse`, which may repair it."""
    cdef bytes raw = _utf8(html) if utf8 is None else utf8
    cdef Py_ssize_t equals, less_than
    _count_bytes(raw, len(raw), 61, 60, &equals, &less_than)
    if equals > MAX_UNCLOSED_TAGS or less_than > MAX_UNCLOSED_TAGS:
        return parse(html, utf8)
    return LexborHTMLParser(raw)


cdef class Walker:
    """The compiled walk for one `Layout`: `walk` and `blocks_from_html` as in `dom`."""

    cdef Layout layout

    def __init__(self, Layout layout) -> None:
        self.layout = layout

    def walk(self, tree: object, facts: object = None) -> tuple:
        """Blocks in document order and the page evidence (`dom.walk`). A tree of another parser
        than Lexbor's has other structs: `dom` walks it."""
        if not isinstance(tree, LexborHTMLParser):
            return dom.walk(tree, facts)
        walker = _Walk(self.layout, facts if facts is not None else AttributeFacts())
        blocks = walker.run(tree)
        return blocks, walker.page

    def walk_with_columns(self, tree: object, facts: object = None) -> tuple:
        """`dom.walk_with_columns`: the columns are kept as the blocks are made."""
        if not isinstance(tree, LexborHTMLParser):
            return dom.walk_with_columns(tree, facts)
        walker = _Walk(self.layout, facts if facts is not None else AttributeFacts())
        walker.run(tree)
        return walker.blocks, walker.page, walker.columns()

    def parse(self, html: str, utf8: object = None) -> object:
        """`dom.parse`, as `blocks_from_html` parses: the same tree."""
        return _parsed(html, utf8)

    def blocks_from_html(self, html: str, facts: object = None, utf8: object = None) -> tuple:
        """Parse and walk in one call (`dom.blocks_from_html`)."""
        walker = self._walked(html, facts, utf8)
        return walker.blocks, walker.page

    def blocks_and_columns_from_html(self, html: str, facts: object = None, utf8: object = None) -> tuple:
        """`dom.blocks_and_columns_from_html`: the columns are kept as the blocks are made."""
        walker = self._walked(html, facts, utf8)
        return walker.blocks, walker.page, walker.columns()

    cdef _Walk _walked(self, str html, object facts, object utf8):
        """The walk of the parsed page (`utf8` as in `dom.parse`); a page whose iframes hold
        text is walked again with its self-closed iframes closed, if it has any
        (`dom.blocks_from_html`)."""
        facts = facts if facts is not None else AttributeFacts()
        walker = _Walk(self.layout, facts)
        walker.run(_parsed(html, utf8))
        if walker.iframe_with_content:
            repaired = _close_self_closed_iframes(html)
            if repaired != html:
                walker = _Walk(self.layout, facts)
                walker.run(_parsed(repaired, None))
        return walker
