# The ids of the names the walker reads, and the check of the declared struct layout (included
# by _cwalk.pyx).
#
# Lexbor names tags and attributes by ids: small numbers for the names of its static tables,
# and otherwise the address of the name's hash entry. `learn_layout()` learns the ids of the
# names the walker cares about from the installed selectolax (`create_node`, and a parsed probe
# page read both through selectolax's API and through the structs of `_lexbor_layout.pxd`); a
# mismatch raises `LayoutMismatch`. The walker's codes for tags (T_*) and attributes (A_*) are
# declared here.

class LayoutMismatch(Exception):
    """The installed selectolax's Lexbor does not lay out its structs as declared here."""


cdef enum:
    NODE_ELEMENT = 1
    NODE_TEXT = 3
    STATIC_IDS = 4096  # ids below: Lexbor's static tables
    POINTER_IDS = 0x10000  # ids from here on: addresses of hash entries
    HASH_SHORT_SIZE = 16
    RECENT = 256  # a power of two

# What the walker does with a tag (bits).
cdef enum:
    T_SKIP = 1 << 0
    T_BLOCK = 1 << 1
    T_HEADING = 1 << 2
    T_A = 1 << 3
    T_BR = 1 << 4
    T_WBR = 1 << 5
    T_TR = 1 << 6
    T_FORM = 1 << 7
    T_TIME = 1 << 8
    T_SPECIAL = 1 << 9  # skipped, but read for metadata
    T_SELECT = 1 << 10  # select, textarea
    T_IFRAME = 1 << 11
    T_NOT_CONTENT = 1 << 12  # a name that starts with "-", "_" or "!"
    T_HEAD_CHILD = 1 << 13  # title, meta, link, script, base: read inside <head>

# The attributes the walker reads.
cdef enum:
    A_CLASS, A_ID, A_ROLE, A_HIDDEN, A_ARIA_HIDDEN, A_STYLE, A_ITEMPROP, A_HREF, A_DATETIME
    A_PROPERTY, A_NAME, A_CONTENT, A_HTTP_EQUIV, A_REL, A_TYPE, N_ATTRIBUTES

ATTRIBUTE_NAMES = (
    "class", "id", "role", "hidden", "aria-hidden", "style", "itemprop", "href", "datetime",
    "property", "name", "content", "http-equiv", "rel", "type",
)  # fmt: skip
# Names Lexbor does not know, short and long (it keeps names of 16 bytes or fewer inside its hash
# entries, longer ones outside): their ids must be addresses. The probe page must hold the
# attributes; the tags are made on it.
PROBE_CUSTOM_TAGS = ("x-custom", "x-custom-element-with-a-long-name")
PROBE_CUSTOM_ATTRIBUTES = ("x-short", "data-x-custom-attribute-with-long-name")
_SPECIAL_TAGS = frozenset(("head", "title", "meta", "link", "script", "img", "picture", "noembed"))
_HEAD_CHILDREN = frozenset(("title", "meta", "link", "script", "base"))
_NAMED_CODES = {
    "a": T_A, "br": T_BR, "wbr": T_WBR, "tr": T_TR, "form": T_FORM, "time": T_TIME,
    "select": T_SELECT, "textarea": T_SELECT, "iframe": T_IFRAME,
}  # fmt: skip
TAG_NAMES = tuple(
    sorted(SKIPPED_TAGS | BLOCK_TAGS | set(_TAG_FLAGS) | set(_NAMED_CODES) | _SPECIAL_TAGS | _HEAD_CHILDREN)
)


def tag_code(name: str) -> int:
    """The T_* bits of a tag name."""
    if name[0] in "-_!":
        return T_NOT_CONTENT
    code = _NAMED_CODES.get(name, 0)
    if name in SKIPPED_TAGS:
        code |= T_SKIP
    if name in BLOCK_TAGS:
        code |= T_BLOCK
    if name in HEADING_TAGS:
        code |= T_HEADING
    if name in _SPECIAL_TAGS:
        code |= T_SPECIAL
    if name in _HEAD_CHILDREN:
        code |= T_HEAD_CHILD
    return code


cdef inline str _decode(const unsigned char *data, size_t length):
    """As selectolax decodes every name, value and text."""
    return PyUnicode_DecodeUTF8(<const char *> data, length, "replace")


cdef str _hash_name(uintptr_t entry_address):
    """The name of a tag or attribute id that is the address of a hash entry."""
    cdef lb_hash_entry *entry = <lb_hash_entry *> entry_address
    if entry.length <= HASH_SHORT_SIZE:
        return _decode(entry.u.short_str, entry.length)
    return _decode(entry.u.long_str, entry.length)


cdef inline uintptr_t _element_name_id(lb_node *node):
    cdef lb_element *element = <lb_element *> node
    return element.qualified_name if element.qualified_name != 0 else node.local_name


cdef inline uintptr_t _attribute_name_id(lb_attr *attribute):
    return attribute.qualified_name if attribute.qualified_name != 0 else attribute.node.local_name


cdef inline object _value(lb_attr *attribute):
    """The attribute's value as selectolax's `attributes` gives it: None when it has none."""
    if attribute == NULL or attribute.value == NULL or attribute.value.data == NULL:
        return None
    return _decode(attribute.value.data, attribute.value.length)


cdef class Layout:
    """The ids of the tags and attributes the walker reads, for the installed selectolax.
    Immutable once made by `learn_layout()`."""

    cdef int tag_codes[STATIC_IDS]
    cdef int tag_flags[STATIC_IDS]
    cdef list tag_names
    cdef signed char attribute_codes[STATIC_IDS]
    cdef uintptr_t text_id
    cdef readonly KeywordTable keywords
    # Where `dom.RawBlock` keeps each field (in its order), when a block can be made by
    # writing them (`_learn_block_layout`); else the walker calls the class.
    cdef Py_ssize_t block_offsets[N_BLOCK_FIELDS]
    cdef object block_type
    cdef readonly bint writes_blocks

    def __cinit__(self):
        memset(self.tag_codes, 0, sizeof(self.tag_codes))
        memset(self.tag_flags, 0, sizeof(self.tag_flags))
        memset(self.attribute_codes, -1, sizeof(self.attribute_codes))
        self.tag_names = [None] * STATIC_IDS
        self.keywords = KeywordTable(dom._KEYWORD_BITS_ASCII, dom._ASSISTIVE_ONLY_ASCII)


cdef inline bint _pointer_or_null(const void *pointer):
    """Whether a field read as a pointer can be one (NULL, or no small number)."""
    return pointer == NULL or <uintptr_t> pointer >= POINTER_IDS


cdef uintptr_t _address(object node):
    return <uintptr_t> node.mem_id


def _check_nodes(tree: object, Layout layout) -> dict:
    """Each node of `tree` read through the structs as selectolax reads it; the attribute ids
    seen, by name. Scalar fields are compared before any pointer is followed."""
    cdef lb_node *node
    cdef lb_attr *attribute
    cdef lb_character_data *text
    attribute_ids: dict = {}
    pending = [tree.root.parent]  # the document node
    while pending:
        python_node = pending.pop()
        node = <lb_node *> _address(python_node)
        if node.local_name != <uintptr_t> python_node.tag_id:
            raise LayoutMismatch(f"tag id of {python_node.tag!r}")
        for name, pointer in (
            ("first_child", <uintptr_t> node.first_child), ("next", <uintptr_t> node.next),
            ("parent", <uintptr_t> node.parent),
        ):
            other = getattr(python_node, name)
            if (0 if other is None else _address(other)) != pointer:
                raise LayoutMismatch(f"{name} of {python_node.tag!r}")
        tag = python_node.tag
        if tag == "-text":
            if node.type != NODE_TEXT:
                raise LayoutMismatch("node type of a text node")
            layout.text_id = node.local_name
            expected = python_node.text_content.encode("utf-8")
            text = <lb_character_data *> node
            if text.data.length != <size_t> len(expected) or <uintptr_t> text.data.data < POINTER_IDS:
                raise LayoutMismatch("text length")
            if _decode(text.data.data, text.data.length) != python_node.text_content:
                raise LayoutMismatch("text")
        elif tag is not None and tag[0] != "-":
            if node.type != NODE_ELEMENT:
                raise LayoutMismatch(f"node type of <{tag}>")
            attributes = python_node.attributes
            attribute = (<lb_element *> node).first_attr
            if (attribute == NULL) != (not attributes):
                raise LayoutMismatch(f"attributes of <{tag}>")
            for key, value in attributes.items():
                # (no address below POINTER_IDS is followed: a small number read as a pointer
                # would be a field that is not one)
                if <uintptr_t> attribute < POINTER_IDS or <uintptr_t> attribute.owner != <uintptr_t> node:
                    raise LayoutMismatch(f"attribute {key!r} of <{tag}>")
                if not _pointer_or_null(attribute.value) or (
                    attribute.value != NULL and not _pointer_or_null(attribute.value.data)
                ):
                    raise LayoutMismatch(f"value of attribute {key!r} of <{tag}>")
                if _value(attribute) != value:
                    raise LayoutMismatch(f"value of attribute {key!r} of <{tag}>")
                attribute_ids[key] = _attribute_name_id(attribute)
                attribute = attribute.next
                if attribute != NULL and <uintptr_t> attribute < POINTER_IDS:
                    raise LayoutMismatch(f"the attribute after {key!r} of <{tag}>")
            if attribute != NULL:
                raise LayoutMismatch(f"more attributes in <{tag}> than selectolax reads")
        child = python_node.last_child
        while child is not None:  # pushed last first: popped in document order
            pending.append(child)
            child = child.prev
    return attribute_ids


def learn_layout(probe_html: str) -> Layout:
    """The ids of the installed selectolax, checked on `probe_html` (which must hold every
    attribute of `ATTRIBUTE_NAMES`, text, and custom elements and attributes with short and
    long names). Raises `LayoutMismatch`."""
    cdef Layout layout = Layout()
    cdef uintptr_t tag_id
    tree = LexborHTMLParser(probe_html)
    layout.text_id = 0
    attribute_ids = _check_nodes(tree, layout)
    if layout.text_id == 0:
        raise LayoutMismatch("the probe page has no text")
    for name in TAG_NAMES:
        tag_id = <uintptr_t> tree.create_node(name).tag_id
        if tag_id < STATIC_IDS:
            layout.tag_codes[tag_id] = tag_code(name)
            layout.tag_flags[tag_id] = _TAG_FLAGS.get(name, 0)
            layout.tag_names[tag_id] = name
        elif tag_id < POINTER_IDS or _hash_name(tag_id) != name:
            raise LayoutMismatch(f"the id of <{name}>")
    for name in PROBE_CUSTOM_TAGS:
        tag_id = <uintptr_t> tree.create_node(name).tag_id
        if tag_id < POINTER_IDS or _hash_name(tag_id) != name:
            raise LayoutMismatch(f"the name of custom element <{name}>")
    for code, name in enumerate(ATTRIBUTE_NAMES):
        if name not in attribute_ids:
            raise LayoutMismatch(f"the probe page has no attribute {name!r}")
    for name in PROBE_CUSTOM_ATTRIBUTES:
        if attribute_ids.get(name, 0) < POINTER_IDS:
            raise LayoutMismatch(f"the id of custom attribute {name!r}")
    for name, attribute_id in attribute_ids.items():
        if attribute_id < STATIC_IDS:
            if name in ATTRIBUTE_NAMES:
                layout.attribute_codes[attribute_id] = ATTRIBUTE_NAMES.index(name)
        elif attribute_id < POINTER_IDS or _hash_name(attribute_id) != name:
            raise LayoutMismatch(f"the id of attribute {name!r}")
    _learn_block_layout(layout)
    return layout
