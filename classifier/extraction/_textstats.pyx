# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The character statistics and tokens of `classifier.extraction.textstats` in Cython.

`textstats` is the reference and owns every constant: it passes its table of class bits, its
masks and its hash base in (`CharClasses`), so nothing here can drift from it. Where the numpy
code joins a page's blocks and reads the result as arrays of code points, this reads each
block's characters once into a buffer of their class bits and counts from it: the same numbers
(tests compare them on every page in data/), without the page-sized temporary arrays. The two
patterns of `textstats` (`DATE_LIKE`, `COPYRIGHT`) are matched by hand here, as `re` would.
"""

import numpy as np

cimport cython
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.unicode cimport (Py_UCS1, Py_UNICODE_ISALNUM, Py_UNICODE_ISALPHA, Py_UNICODE_ISDECIMAL,
                              Py_UNICODE_ISDIGIT, Py_UNICODE_ISLOWER, Py_UNICODE_ISSPACE, Py_UNICODE_ISUPPER,
                              PyUnicode_1BYTE_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND,
                              PyUnicode_READ, Py_UNICODE_TOLOWER)
from libc.stdint cimport int64_t, uint16_t, uint64_t

# The SHA-256 of this file as it was built (setup.py passes it to the compiler; empty when
# built otherwise): `textstats` uses no build of another version of it.
cdef extern from *:
    """
    #ifndef PAGESIEVE_BUILT_FROM
    #define PAGESIEVE_BUILT_FROM ""
    #endif
    """
    const char *PAGESIEVE_BUILT_FROM

BUILT_FROM = (<bytes> PAGESIEVE_BUILT_FROM).decode("ascii")

# Code points compared as numbers (Cython does arithmetic on Py_UCS4 as on one-character str).
cdef enum:
    DOT = 0x2E
    SLASH = 0x2F
    HYPHEN = 0x2D
    ZERO = 0x30
    ONE = 0x31
    TWO = 0x32
    NINE = 0x39
    COPYRIGHT_SIGN = 0xA9
    PAREN_OPEN = 0x28
    PAREN_CLOSE = 0x29
    AMPERSAND = 0x26
    SEMICOLON = 0x3B
    CAPITAL_I_WITH_DOT = 0x130
    CAPITAL_SIGMA = 0x3A3


def predicate_bits(Py_ssize_t size, masks) -> np.ndarray:
    """The bits of `textstats._char_bits` that CPython's character predicates give (masks: alpha,
    upper, lower, digit, space, word, decimal), for the code points below `size`: the functions
    `str.isalpha()` and the others call for a one-character string, so the same bits, at a
    thousandth of the cost of calling them from Python at import."""
    cdef uint16_t alpha, upper, lower, digit, space, word, decimal
    alpha, upper, lower, digit, space, word, decimal = masks
    table = np.zeros(size, np.uint16)
    cdef uint16_t[::1] bits = table
    cdef Py_ssize_t code
    cdef Py_UCS4 char
    cdef bint is_alpha
    for code in range(size):
        char = <Py_UCS4> code
        is_alpha = Py_UNICODE_ISALPHA(char)
        bits[code] = (
            (alpha if is_alpha else 0)
            | (upper if is_alpha and Py_UNICODE_ISUPPER(char) else 0)
            | (lower if Py_UNICODE_ISLOWER(char) else 0)
            | (digit if not is_alpha and Py_UNICODE_ISDIGIT(char) else 0)
            | (space if Py_UNICODE_ISSPACE(char) else 0)
            | (word if Py_UNICODE_ISALNUM(char) or code == 0x5F else 0)
            | (decimal if Py_UNICODE_ISDECIMAL(char) else 0)
        )
    return table


@cython.final
cdef class CharClasses:
    """`textstats`' class bits: the table for the Basic Multilingual Plane, the function for
    rarer characters, the masks and the token hash base."""

    cdef const uint16_t[::1] table
    cdef object rare_bits
    cdef uint16_t alpha, upper, lower, digit, space, sentence_end, punct_end, separator, comma
    cdef uint16_t newline, word, decimal
    cdef uint64_t base
    cdef Py_ssize_t sample
    # Each Latin-1 character made lower case (`Py_UNICODE_TOLOWER`), and whether that is a word
    # character: what `_Buffer.lower` then `_hash_tokens` read, read in one step.
    cdef unsigned int latin1_lower[256]
    cdef bint latin1_lower_word[256]

    def __init__(self, table, rare_bits, masks, uint64_t base, Py_ssize_t sample):
        cdef unsigned int code, lowered
        self.table = table
        self.rare_bits = rare_bits
        (self.alpha, self.upper, self.lower, self.digit, self.space, self.sentence_end,
         self.punct_end, self.separator, self.comma, self.newline, self.word, self.decimal) = masks
        self.base = base
        self.sample = sample
        for code in range(256):
            lowered = Py_UNICODE_TOLOWER(code)
            self.latin1_lower[code] = lowered
            bits = self.table[lowered] if lowered < self.table.shape[0] else rare_bits(chr(lowered))
            self.latin1_lower_word[code] = (bits & self.word) != 0


cdef class _Buffer:
    """One block's code points and their class bits, grown as needed and reused."""

    cdef unsigned int *codes
    cdef uint16_t *bits
    cdef Py_ssize_t capacity, length
    cdef bint lowers_by_context  # the text has U+0130 or U+03A3 (see `statistics_and_tokens`)
    cdef bint latin1  # the text's characters are all Latin-1 (its codes are below 256)

    def __dealloc__(self):
        PyMem_Free(self.codes)
        PyMem_Free(self.bits)

    cdef int read(self, str text, CharClasses classes) except -1:
        cdef Py_ssize_t i, length = PyUnicode_GET_LENGTH(text)
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef void *grown
        if length > self.capacity:
            grown = PyMem_Realloc(self.codes, length * sizeof(unsigned int))
            if grown == NULL:
                raise MemoryError()
            self.codes = <unsigned int *>grown
            grown = PyMem_Realloc(self.bits, length * sizeof(uint16_t))
            if grown == NULL:
                raise MemoryError()
            self.bits = <uint16_t *>grown
            self.capacity = length
        self.length = length
        self.lowers_by_context = False
        self.latin1 = kind == PyUnicode_1BYTE_KIND
        if kind == PyUnicode_1BYTE_KIND:  # Latin-1: every character is in the table
            for i in range(length):
                self.codes[i] = (<Py_UCS1 *>data)[i]
                self.bits[i] = classes.table[self.codes[i]]
            return 0
        for i in range(length):
            self.codes[i] = PyUnicode_READ(kind, data, i)
            self.lowers_by_context |= self.codes[i] == CAPITAL_I_WITH_DOT or self.codes[i] == CAPITAL_SIGMA
        return self.classify(classes)

    cdef int classify(self, CharClasses classes) except -1:
        """The class bits of the code points read."""
        cdef Py_ssize_t i, table_size = classes.table.shape[0]
        cdef unsigned int code
        for i in range(self.length):
            code = self.codes[i]
            if code < table_size:
                self.bits[i] = classes.table[code]
            else:
                self.bits[i] = classes.rare_bits(chr(code))
        return 0

    cdef int lower(self, CharClasses classes) except -1:
        """Each code point read made lower case (`Py_UNICODE_TOLOWER`: `str.lower()` when the
        text has no U+0130 or U+03A3), with its class bits."""
        cdef Py_ssize_t i, table_size = classes.table.shape[0]
        cdef unsigned int code, lowered
        for i in range(self.length):
            code = self.codes[i]
            if code < 0x80:  # ASCII: only A-Z change
                lowered = code + 0x20 if 0x41 <= code <= 0x5A else code
            else:
                lowered = Py_UNICODE_TOLOWER(code)
            if lowered != code:
                self.codes[i] = lowered
                self.bits[i] = classes.table[lowered] if lowered < table_size else classes.rare_bits(chr(lowered))
        return 0

    cdef inline Py_ssize_t run(self, Py_ssize_t i, uint16_t mask):
        """The number of characters of class `mask` from i on."""
        cdef Py_ssize_t j = i
        while j < self.length and self.bits[j] & mask:
            j += 1
        return j - i

    cdef inline bint ends_word(self, Py_ssize_t i, uint16_t word):
        """re's \\b after a word character, before character i."""
        return i == self.length or not (self.bits[i] & word)


cdef inline bint _date_separator(unsigned int code):
    return code == DOT or code == SLASH or code == HYPHEN


cdef bint _date_at(_Buffer text, Py_ssize_t i, CharClasses classes):
    """Whether `textstats.DATE_LIKE` matches at character i (a decimal digit after no word
    character): "d{1,4}[./-]d{1,2}[./-]d{1,4}" ending a word, or a year 19dd or 20dd. No
    alternative can backtrack into a shorter run of digits, so each run is read once."""
    cdef Py_ssize_t j, run = text.run(i + 1, classes.decimal), length = text.length
    cdef unsigned int first = text.codes[i]
    if run <= 3 and i + 1 + run < length and _date_separator(text.codes[i + 1 + run]):
        j = i + 2 + run
        run = text.run(j, classes.decimal)
        if 1 <= run <= 2 and j + run < length and _date_separator(text.codes[j + run]):
            j += run + 1
            run = text.run(j, classes.decimal)
            if 1 <= run <= 4 and text.ends_word(j + run, classes.word):
                return True
    if i + 3 < length and ((first == ONE and text.codes[i + 1] == NINE) or (first == TWO and text.codes[i + 1] == ZERO)):
        return (text.bits[i + 2] & text.bits[i + 3] & classes.decimal) != 0 and text.ends_word(i + 4, classes.word)
    return False


cdef bint _has_date(_Buffer text, CharClasses classes):
    """Whether `textstats.DATE_LIKE` matches anywhere in the block."""
    cdef Py_ssize_t i
    for i in range(text.length):
        if text.bits[i] & classes.decimal and (i == 0 or not (text.bits[i - 1] & classes.word)):
            if _date_at(text, i, classes):
                return True
    return False


cdef inline unsigned int _ascii_lower(unsigned int code):
    return code | 0x20 if 0x41 <= code <= 0x5A else code


cdef bint _has_copyright(_Buffer text):
    """Whether `textstats.COPYRIGHT` ("©", "(c)" or "&copy;", ASCII letters in any case, as
    `re.IGNORECASE` folds them) matches anywhere in the block."""
    cdef Py_ssize_t i, length = text.length
    cdef unsigned int *codes = text.codes
    cdef bint opens = False
    for i in range(length):  # whether any character can start a match (branch-free, vectorised)
        opens |= (codes[i] == COPYRIGHT_SIGN) | (codes[i] == PAREN_OPEN) | (codes[i] == AMPERSAND)
    if not opens:
        return False
    for i in range(length):
        if codes[i] == COPYRIGHT_SIGN:
            return True
        if codes[i] == PAREN_OPEN and i + 2 < length and _ascii_lower(codes[i + 1]) == 0x63 and codes[i + 2] == PAREN_CLOSE:
            return True
        if (codes[i] == AMPERSAND and i + 5 < length and _ascii_lower(codes[i + 1]) == 0x63 and _ascii_lower(codes[i + 2]) == 0x6F
                and _ascii_lower(codes[i + 3]) == 0x70 and _ascii_lower(codes[i + 4]) == 0x79 and codes[i + 5] == SEMICOLON):
            return True  # c, o, p, y
    return False


cdef inline Py_ssize_t _count_set(const uint16_t *bits, Py_ssize_t length, uint16_t mask):
    """The characters with a bit of `mask` (a branch-free loop the compiler vectorises)."""
    cdef Py_ssize_t i, count = 0
    for i in range(length):
        count += (bits[i] & mask) != 0
    return count


cdef void _count(_Buffer text, CharClasses classes, Py_ssize_t b, double[:, ::1] floats, int64_t[:, ::1] counts) except *:
    """The statistics of one block (`text`, read) into column b of `floats` and `counts`."""
    cdef Py_ssize_t i, length = text.length, sampled = min(length, classes.sample)
    cdef const uint16_t *bits = text.bits
    cdef const unsigned int *codes = text.codes
    cdef uint16_t space = classes.space, alpha = classes.alpha
    cdef Py_ssize_t words = length > 0 and not (bits[0] & space), non_ascii = 0
    for i in range(1, length):  # a word starts at a character that is not a space after one that is
        words += ((bits[i] & space) == 0) & ((bits[i - 1] & space) != 0)
    for i in range(sampled):
        non_ascii += ((bits[i] & alpha) != 0) & (codes[i] > 0x7F)
    counts[0, b] = _count_set(bits, sampled, alpha)
    counts[1, b] = _count_set(bits, sampled, classes.upper)
    counts[2, b] = _count_set(bits, sampled, classes.digit)
    counts[3, b] = non_ascii
    counts[4, b] = _count_set(bits, length, classes.sentence_end)
    counts[5, b] = _count_set(bits, length, classes.comma)
    counts[6, b] = _count_set(bits, length, classes.separator)
    counts[7, b] = _count_set(bits, length, classes.newline)
    floats[0, b], floats[1, b], floats[2, b] = length, words, sampled
    if length:
        floats[3, b] = (bits[length - 1] & classes.punct_end) != 0
        floats[4, b] = (bits[0] & classes.lower) != 0
    floats[5, b] = _has_copyright(text)
    if counts[2, b] or length > sampled:  # a date needs a digit
        floats[6, b] = _has_date(text, classes)


def statistics_and_tokens(list texts, CharClasses classes):
    """As `textstats.statistics_and_tokens`, reading each text once:
    the tokens are hashed from each character's lower case (`Py_UNICODE_TOLOWER`), which is
    what `str.lower()` gives for every character but two, U+0130 (two characters) and U+03A3
    (by context); a text that has one of them is lower-cased by `str.lower()` and read again."""
    cdef Py_ssize_t n = len(texts), b, i, found = 0, before, capacity = 0
    for b in range(n):
        # Tokens are apart: at most half the characters of the lower-cased text, rounded up,
        # which has at most twice the characters (U+0130 becomes two): one per character.
        capacity += len(texts[b]) + 1
    floats_array, counts_array = np.zeros((7, n)), np.zeros((8, n), dtype=np.int64)
    block_array, start_array = np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.int64)
    hash_array, token_counts_array = np.empty(capacity, dtype=np.uint64), np.zeros(n)
    cdef int64_t[::1] owner = block_array, starts = start_array
    cdef uint64_t[::1] hashes = hash_array
    cdef double[::1] token_counts = token_counts_array
    cdef double[:, ::1] floats = floats_array
    cdef int64_t[:, ::1] counts = counts_array
    cdef _Buffer text = _Buffer(), lowered = _Buffer()
    for b in range(n):
        text.read(texts[b], classes)
        _count(text, classes, b, floats, counts)
        before = found
        if text.lowers_by_context:
            lowered.read(texts[b].lower(), classes)
            found = _hash_tokens(lowered, classes, starts, hashes, found)
        elif text.latin1:
            found = _hash_tokens(text, classes, starts, hashes, found, lower_latin1=True)
        else:
            text.lower(classes)
            found = _hash_tokens(text, classes, starts, hashes, found)
        for i in range(before, found):
            owner[i] = b
        token_counts[b] = found - before
    # The statistics as the fields of `textstats.TextStatistics`, in order.
    statistics = (*floats_array[:3], *counts_array, *floats_array[3:])
    return statistics, (block_array[:found], token_counts_array, hash_array[:found])


cdef Py_ssize_t _hash_tokens(
    _Buffer text, CharClasses classes, int64_t[::1] starts, uint64_t[::1] hashes, Py_ssize_t found, bint lower_latin1=False,
):
    """Appends the start and hash of each token of the block from `found` on; returns the
    new count. A token's hash: the sum of its code points times base ** (their place in it).
    `lower_latin1`: the text is Latin-1 and is hashed lower-cased, by table (`_Buffer.lower`
    and this in one pass)."""
    cdef Py_ssize_t i
    cdef uint64_t value = 0, power = 1
    cdef unsigned int code
    cdef bint inside = False, word
    for i in range(text.length):
        code = text.codes[i]
        if lower_latin1:
            word, code = classes.latin1_lower_word[code], classes.latin1_lower[code]
        else:
            word = (text.bits[i] & classes.word) != 0
        if word:
            if not inside:
                inside, value, power = True, 0, 1
                starts[found] = i
            value += code * power
            power *= classes.base
        elif inside:
            inside = False
            hashes[found] = value
            found += 1
    if inside:
        hashes[found] = value
        found += 1
    return found


def count_not_text(str text):
    """As `textstats.count_not_text`: the characters U+0000-0008, 000B, 000E-001F and FFFD."""
    cdef Py_ssize_t i, count = 0, length = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 code
    if kind == PyUnicode_1BYTE_KIND:  # no U+FFFD: a branch-free loop the compiler vectorises
        for i in range(length):
            code = (<Py_UCS1 *>data)[i]
            count += (code < 0x20) & (code != 0x09) & (code != 0x0A) & (code != 0x0C) & (code != 0x0D)
        return count
    for i in range(length):
        code = PyUnicode_READ(kind, data, i)
        count += ((code < 0x20) & (code != 0x09) & (code != 0x0A) & (code != 0x0C) & (code != 0x0D)) | (code == 0xFFFD)
    return count


def token_hashes(str text, CharClasses classes):
    """As `textstats.token_hashes`: the start offsets and hashes of the tokens of `text`."""
    cdef Py_ssize_t capacity = len(text) // 2 + 1, found
    start_array, hash_array = np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.uint64)
    cdef _Buffer buffer = _Buffer()
    buffer.read(text, classes)
    found = _hash_tokens(buffer, classes, start_array, hash_array, 0)
    return start_array[:found], hash_array[:found]
