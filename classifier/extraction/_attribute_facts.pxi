# Attribute facts in compiled code (included by _cwalk.pyx): the keyword facts of ASCII
# class/id/itemprop values, and path segments.
#
# `dom._attribute_facts` is the reference: it looks up the value's words (runs of letters cut
# where a lower-case letter meets an upper-case one: "mainContent2" -> main, content) and its
# whitespace-separated tokens with the non-letters removed ("sr-only" -> sronly), lower-cased,
# in the keyword table, and the tokens in the table of screen-reader-only classes.
# `KeywordTable.facts` does the same over an ASCII value's bytes, with the words of both
# tables in one open-addressing hash table, and answers None for any other value (the caller
# then asks `dom`). Tests compare the two on generated values.

from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcmp, memcpy


cdef struct KeywordEntry:
    const unsigned char *word  # into KeywordTable.words; NULL: an empty slot
    Py_ssize_t length
    long bits  # keyword-group bits (0: not a keyword)
    bint assistive  # a class that marks screen-reader-only text


cdef inline bint _is_ascii_space(unsigned char c):
    """ASCII whitespace as str.isspace() knows it."""
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef inline bint _is_ascii_letter(unsigned char c):
    return (97 <= c <= 122) or (65 <= c <= 90)


cdef inline size_t _hash_bytes(const unsigned char *data, Py_ssize_t length) noexcept nogil:
    """A hash of the bytes for the open-addressing tables here: eight bytes at a time, each
    word mixed in by a multiplication and a shift (as in MurmurHash3's finaliser)."""
    cdef uint64_t value = 0x9E3779B97F4A7C15ULL ^ <uint64_t> length
    cdef uint64_t word
    cdef Py_ssize_t i
    while length >= 8:
        memcpy(&word, data, 8)
        value = (value ^ word) * 0xFF51AFD7ED558CCDULL
        value ^= value >> 32
        data += 8
        length -= 8
    word = 0
    for i in range(length):
        word |= (<uint64_t> data[i]) << (8 * i)
    value = (value ^ word) * 0xC4CEB9FE1A85EC53ULL
    value ^= value >> 29
    return <size_t> value


cdef inline unsigned int _letter_index(unsigned char c):
    """0-25 for a-z, 26 for any other byte."""
    return c - 97 if 97 <= c <= 122 else 26


cdef class KeywordTable:
    """The words of `dom`'s keyword groups and screen-reader-only classes. Immutable."""

    cdef bytes words  # every word, back to back: the entries point into it
    cdef KeywordEntry *entries
    cdef size_t mask
    # A filter before the hash table: bit c of maybe[length][first] is set when a word has
    # that length (31 for any longer), first byte (`_letter_index`) and second byte (27 when
    # it has none). Most words of class values are not keywords, and most of them stop here.
    cdef uint32_t maybe[32][27]

    def __cinit__(self, bits_by_word: dict, assistive_words: frozenset):
        cdef Py_ssize_t size = 64
        cdef Py_ssize_t offset = 0
        cdef size_t slot
        cdef const unsigned char *base
        all_words = sorted(set(bits_by_word) | set(assistive_words))
        while size < 4 * len(all_words):
            size *= 2
        self.words = b"".join(all_words)
        self.mask = size - 1
        self.entries = <KeywordEntry *> PyMem_Malloc(size * sizeof(KeywordEntry))
        if self.entries == NULL:
            raise MemoryError()
        memset(self.entries, 0, size * sizeof(KeywordEntry))
        memset(self.maybe, 0, sizeof(self.maybe))
        base = self.words
        for word in all_words:
            self.maybe[min(len(word), 31)][_letter_index(word[0])] |= 1u << (_letter_index(word[1]) if len(word) > 1 else 27)
            slot = _hash_bytes(base + offset, len(word)) & self.mask
            while self.entries[slot].word != NULL:
                slot = (slot + 1) & self.mask
            self.entries[slot].word = base + offset
            self.entries[slot].length = len(word)
            self.entries[slot].bits = bits_by_word.get(word, 0)
            self.entries[slot].assistive = word in assistive_words
            offset += len(word)

    def __dealloc__(self):
        PyMem_Free(self.entries)

    cdef KeywordEntry *find(self, const unsigned char *word, Py_ssize_t length):
        """The entry of a word (of one byte or more), or NULL."""
        cdef unsigned int second = _letter_index(word[1]) if length > 1 else 27
        if not (self.maybe[min(length, 31)][_letter_index(word[0])] >> second) & 1:
            return NULL
        cdef size_t slot = _hash_bytes(word, length) & self.mask
        cdef KeywordEntry *entry
        while True:
            entry = &self.entries[slot]
            if entry.word == NULL:
                return NULL
            if entry.length == length and memcmp(entry.word, word, length) == 0:
                return entry
            slot = (slot + 1) & self.mask

    cpdef object facts(self, str value):
        """`dom._attribute_facts(value)` for an ASCII value; None for any other."""
        cdef Py_ssize_t length
        cdef const unsigned char *data
        cdef long bits = 0
        cdef bint assistive = False
        if not value.isascii():
            return None
        data = <const unsigned char *> PyUnicode_AsUTF8AndSize(value, &length)
        self.scan(data, length, &bits, &assistive)
        return bits, assistive

    cdef int scan(self, const unsigned char *data, Py_ssize_t length, long *bits, bint *assistive) except -1:
        """`facts` of the value of these ASCII bytes, into `bits` and `assistive` (or-ed in)."""
        cdef Py_ssize_t i, j, k, squashed_length = 0
        cdef unsigned char c
        cdef unsigned char small[512]
        cdef unsigned char *lowered = small
        cdef unsigned char *squashed
        cdef KeywordEntry *entry
        if 2 * length + 1 > <Py_ssize_t> sizeof(small):
            lowered = <unsigned char *> PyMem_Malloc(2 * length + 1)
            if lowered == NULL:
                raise MemoryError()
        squashed = lowered + length
        for i in range(length):
            c = data[i]
            lowered[i] = c | 32 if 65 <= c <= 90 else c
        # The words: runs of letters cut where a lower-case letter meets an upper-case one
        # (the matches of [A-Z]*[a-z]+|[A-Z]+), looked up lower-cased.
        i = 0
        while i < length:
            if not _is_ascii_letter(data[i]):
                i += 1
                continue
            j = i
            while j < length and 65 <= data[j] <= 90:
                j += 1
            k = j
            while k < length and 97 <= data[k] <= 122:
                k += 1
            # [i, k): upper-case letters then lower-case ones, or upper-case letters alone
            entry = self.find(lowered + i, k - i)
            if entry != NULL:
                bits[0] |= entry.bits
            i = k
        # Each whitespace-separated token with its non-letters removed, lower-cased.
        for i in range(length + 1):
            c = lowered[i] if i < length else 32
            if 97 <= c <= 122:
                squashed[squashed_length] = c
                squashed_length += 1
            elif _is_ascii_space(c) and squashed_length:
                entry = self.find(squashed, squashed_length)
                if entry != NULL:
                    bits[0] |= entry.bits
                    assistive[0] = assistive[0] or entry.assistive
                squashed_length = 0
        if lowered != small:
            PyMem_Free(lowered)
        return 0


_ASCII_DIGITS = b"0123456789"
_DIGITS = str.maketrans("", "", "0123456789")


cpdef tuple path_segment(str tag, object element_id, object classes):
    """`dom._path_segment`, step for step (the same str operations, so the same result)."""
    cdef str segment = tag
    cdef str rest
    if element_id:
        segment += "#" + element_id.strip().split(" ", 1)[0][:40]
    if classes:
        for token in classes.split(None, 2)[:2]:  # the first two of classes.split()
            segment += "." + token[:40]
    rest = segment[len(tag):]
    if rest.isascii():
        return segment, tag + rest.encode().translate(None, _ASCII_DIGITS).decode()
    return segment, tag + rest.translate(_DIGITS)


cdef inline Py_ssize_t _append(unsigned char *out, Py_ssize_t at, const unsigned char *data, Py_ssize_t length):
    cdef Py_ssize_t i
    for i in range(length):
        out[at + i] = data[i]
    return at + length


cpdef object ascii_path_segment(str tag, object element_id, object classes):
    """`dom._path_segment` when the tag, id and classes are all ASCII (None otherwise), in C: the
    id stripped, up to its first space, 40 characters at most; the first two whitespace-separated
    classes, 40 characters each at most; the key without the digits after the tag."""
    cdef Py_ssize_t tag_length, id_length = 0, classes_length = 0, at, start, end, i, tokens
    cdef const unsigned char *tag_data
    cdef const unsigned char *id_data = NULL
    cdef const unsigned char *classes_data = NULL
    cdef unsigned char buffer[256]
    cdef unsigned char key[256]
    cdef Py_ssize_t key_length
    if not tag.isascii() or len(tag) > 64:
        return None
    if element_id and not (<str> element_id).isascii():
        return None
    if classes and not (<str> classes).isascii():
        return None
    tag_data = <const unsigned char *> PyUnicode_AsUTF8AndSize(tag, &tag_length)
    at = _append(buffer, 0, tag_data, tag_length)
    if element_id:
        id_data = <const unsigned char *> PyUnicode_AsUTF8AndSize(element_id, &id_length)
        start, end = 0, id_length
        while start < end and _is_ascii_space(id_data[start]):
            start += 1
        while end > start and _is_ascii_space(id_data[end - 1]):
            end -= 1
        i = start
        while i < end and id_data[i] != 32 and i - start < 40:
            i += 1
        buffer[at] = 35  # "#"
        at = _append(buffer, at + 1, id_data + start, i - start)
    if classes:
        classes_data = <const unsigned char *> PyUnicode_AsUTF8AndSize(classes, &classes_length)
        i, tokens = 0, 0
        while tokens < 2:
            while i < classes_length and _is_ascii_space(classes_data[i]):
                i += 1
            if i == classes_length:
                break
            start = i
            while i < classes_length and not _is_ascii_space(classes_data[i]):
                i += 1
            buffer[at] = 46  # "."
            at = _append(buffer, at + 1, classes_data + start, min(i - start, 40))
            tokens += 1
    key_length = _append(key, 0, tag_data, tag_length)
    for i in range(tag_length, at):
        if not 48 <= buffer[i] <= 57:
            key[key_length] = buffer[i]
            key_length += 1
    return (
        PyUnicode_DecodeASCII(<const char *> buffer, at, NULL),
        PyUnicode_DecodeASCII(<const char *> key, key_length, NULL),
    )
