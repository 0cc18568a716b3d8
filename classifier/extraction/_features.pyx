# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Most of the block feature columns of `classifier.extraction.features` in Cython.

`features` is the reference (numpy, one function per group of columns) and owns the column
names and the constants: it passes the column numbers and thresholds in (`Layout`), so nothing
here can drift from it. `overlap` computes the overlap columns and `fill` the groups after
them, in a few passes over the blocks, with C arrays for the group sums and the page's
elements, where numpy makes ~170 small calls.

The values are the reference's to the last bit (tests compare them on generated pages and on
every page in data/): float64 arithmetic in the same order (sums in index order, as
`np.bincount` and `np.cumsum` add), stored into the float32 matrix by C's rounding cast, as
numpy's. No logarithm is computed here: numpy's SIMD logarithms may differ from the C
library's in the last bit. `fill` writes the logarithmic columns (`LOG1P_COLUMNS`,
`LOG_COLUMNS`) of whole numbers below `Layout`'s table size from tables numpy made (most of
them: counts), and returns the other arguments with their places in the matrix; `overlap`
returns the duplicate counts; `features` takes `np.log1p` / `np.log` of those. Sums that
numpy takes pairwise are passed in (a mean) or are of whole numbers (exact in any order).
"""

import numpy as np

cimport cython
from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.mem cimport PyMem_Calloc, PyMem_Free
from cpython.unicode cimport PyUnicode_FindChar
from libc.math cimport ceil, copysign
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memcpy

# The SHA-256 of this file as it was built (setup.py passes it to the compiler; empty when
# built otherwise): `features` uses no build of another version of it.
cdef extern from *:
    """
    #ifndef PAGESIEVE_BUILT_FROM
    #define PAGESIEVE_BUILT_FROM ""
    #endif
    """
    const char *PAGESIEVE_BUILT_FROM

BUILT_FROM = (<bytes> PAGESIEVE_BUILT_FROM).decode("ascii")

# The columns that are np.log1p (and np.log) of a number, in the order of the slots (l_*, g_*)
# `fill` puts their numbers in.
LOG1P_COLUMNS = (
    "log_words", "log_tokens", "log_links", "log_sentence_ends", "log_lines",
    "page_log_blocks", "page_log_chars", "page_log_max_block",
    "parent_log_blocks", "parent_mean_block_chars", "grandparent_log_blocks", "own_log_blocks",
    "row_log_cells", "distance_to_long_block", "long_blocks_before", "long_blocks_after",
    "parent_log_anchors", "parent_log_targets", "parent_log_headings",
    "grandparent_log_anchors", "grandparent_log_targets", "grandparent_log_headings",
    "log_blocks_since_heading", "log_cluster_distance",
)  # fmt: skip
LOG_COLUMNS = ("path_log_count", "parent_path_log_count", "grandparent_path_log_count")

cdef enum:
    MAX_GROUP = 8  # entries of the small groups below (ancestor shares, levels, offsets, windows)
    MAX_LEVELS = 64  # container levels a chain may be followed
    MAX_BUFFERS = 64  # arrays one call reads, and C arrays it allocates
    MAX_LOG_COLUMNS = 32  # logarithmic columns of each kind
    MAX_TABLE = 4096  # entries of the tables of logarithms of whole numbers
    FLOAT64, INT64, FLOAT32, UINT64  # the kinds of arrays read


cdef struct Columns:
    # Matrix columns (m_*) and slots among the logarithms' arguments (l_* for log1p, g_* for log).
    Py_ssize_t width, log1p_width, log_width
    Py_ssize_t m_log1p[MAX_LOG_COLUMNS]  # the matrix column of each l_* slot
    Py_ssize_t m_log[MAX_LOG_COLUMNS]  # and of each g_* slot
    Py_ssize_t m_char_share, m_chars_percentile, m_log_chars_minus_median, m_link_density_minus_mean
    Py_ssize_t m_chars_over_max, m_title_overlap, m_structured_overlap, m_in_title, m_log_duplicates
    Py_ssize_t m_log_chars, m_mean_word_length, m_link_density, m_text_density, m_ends_with_punctuation
    Py_ssize_t m_digit_share, m_upper_share, m_alpha_share, m_comma_per_word, m_separator_share
    Py_ssize_t m_non_ascii_share, m_has_copyright, m_date_like, m_starts_lower
    Py_ssize_t l_log_words, l_log_tokens, l_log_links, l_log_sentence_ends, l_log_lines
    Py_ssize_t m_relative_index, m_relative_char_position, m_depth, m_relative_depth
    Py_ssize_t m_tag_first, tag_count, m_is_heading
    Py_ssize_t bit_group_count
    Py_ssize_t bit_first[MAX_GROUP]
    Py_ssize_t bit_count[MAX_GROUP]
    Py_ssize_t m_page_link_density, m_page_has_article, m_page_has_main, m_page_article_share
    Py_ssize_t m_page_main_share, m_page_li_share, m_page_cell_share, m_page_has_structured_text
    Py_ssize_t m_page_kinds_first, page_kinds_count
    Py_ssize_t l_page_log_blocks, l_page_log_chars, l_page_log_max_block
    int article_bit, main_bit
    int64_t li_tag, cell_tag
    Py_ssize_t g_path_log_count, m_path_char_share, m_path_link_density, m_path_mean_log_chars
    Py_ssize_t g_parent_path_log_count, m_parent_path_char_share, m_parent_path_link_density
    Py_ssize_t m_parent_path_heading_share, m_parent_path_linked_heading_share
    Py_ssize_t g_grandparent_path_log_count, m_grandparent_path_char_share, m_grandparent_path_heading_share
    double linked_heading_density
    Py_ssize_t l_distance_to_long_block, l_long_blocks_before, l_long_blocks_after
    double long_min_chars, long_max_density
    Py_ssize_t l_row_log_cells, m_row_link_density, m_row_mean_log_chars
    Py_ssize_t m_parent_char_share, m_parent_link_density, l_parent_log_blocks, l_parent_mean_block_chars
    Py_ssize_t m_grandparent_char_share, m_grandparent_link_density, l_grandparent_log_blocks, l_own_log_blocks
    Py_ssize_t levels
    Py_ssize_t share_count
    double shares[MAX_GROUP]
    Py_ssize_t m_levels_to_share[MAX_GROUP]
    Py_ssize_t m_link_density_at_share[MAX_GROUP]
    Py_ssize_t level_count
    Py_ssize_t share_levels[MAX_GROUP]
    Py_ssize_t m_share_at_level[MAX_GROUP]
    Py_ssize_t l_parent_log_anchors, l_parent_log_targets, l_parent_log_headings
    Py_ssize_t l_grandparent_log_anchors, l_grandparent_log_targets, l_grandparent_log_headings
    Py_ssize_t m_heading_before_link_density, l_log_blocks_since_heading
    Py_ssize_t m_in_cluster, m_before_cluster, m_after_cluster, l_log_cluster_distance, m_levels_to_cluster
    Py_ssize_t m_cluster_char_share, m_cluster_link_density, m_cluster_long_share
    double cluster_min_chars, cluster_max_density, cluster_growth, cluster_other_growth, cluster_added_share
    double mean_word_length_cap, line_chars, depth_cap
    Py_ssize_t context_count
    Py_ssize_t m_context[MAX_GROUP]
    double context_fill[MAX_GROUP]
    Py_ssize_t offset_count
    Py_ssize_t offsets[MAX_GROUP]
    Py_ssize_t m_offset_first[MAX_GROUP]
    Py_ssize_t window_base_count
    Py_ssize_t m_window_base[MAX_GROUP]
    Py_ssize_t window_count
    Py_ssize_t radii[MAX_GROUP]
    Py_ssize_t m_window_first[MAX_GROUP]


cdef Py_ssize_t _small_group(values, Py_ssize_t *into, Py_ssize_t size=MAX_GROUP) except -1:
    """Copy a short sequence of integers into a C array of `size`; their number."""
    if len(values) > size:
        raise ValueError(f"at most {size} entries in a group, not {len(values)}")
    for k, value in enumerate(values):
        into[k] = value
    return len(values)


@cython.final
cdef class Layout:
    """Where `fill` writes: the matrix columns by name (`columns`, the reference's numbering),
    the first column and size of the groups of adjacent columns, the thresholds of
    `features`, and `logarithms`: np.log1p and np.log of 0, 1, 2... as float32, one table each
    of the same length (the log of 0 is never read). Made once, when `features` is imported."""

    cdef Columns c
    cdef float log1p_of[MAX_TABLE]
    cdef float log_of[MAX_TABLE]
    cdef Py_ssize_t table_size

    def __init__(
        self,
        dict columns,
        *,
        tags,
        bit_groups,
        page_kinds,
        article_bit,
        main_bit,
        li_tag,
        cell_tag,
        linked_heading_density,
        long_block,
        ancestor_levels,
        ancestor_shares,
        share_levels,
        cluster,
        context,
        windows,
        text,
        depth_cap,
        logarithms,
    ):
        cdef Columns *c = &self.c
        cdef Py_ssize_t k
        log1p = {name: k for k, name in enumerate(LOG1P_COLUMNS)}
        log = {name: k for k, name in enumerate(LOG_COLUMNS)}
        c.width, c.log1p_width, c.log_width = len(columns), len(LOG1P_COLUMNS), len(LOG_COLUMNS)
        _small_group([columns[name] for name in LOG1P_COLUMNS], c.m_log1p, MAX_LOG_COLUMNS)
        _small_group([columns[name] for name in LOG_COLUMNS], c.m_log, MAX_LOG_COLUMNS)
        log1p_of, log_of = logarithms
        if not (len(log1p_of) == len(log_of) <= MAX_TABLE):
            raise ValueError(f"two tables of logarithms of the same length, at most {MAX_TABLE}")
        self.table_size = len(log1p_of)
        for k in range(self.table_size):
            self.log1p_of[k], self.log_of[k] = log1p_of[k], log_of[k]
        # The block beside the rest of the page (`overlap`).
        c.m_char_share, c.m_chars_percentile = columns["char_share"], columns["chars_percentile"]
        c.m_log_duplicates = columns["log_duplicates"]
        c.m_log_chars_minus_median = columns["log_chars_minus_median"]
        c.m_link_density_minus_mean, c.m_chars_over_max = columns["link_density_minus_mean"], columns["chars_over_max"]
        c.m_title_overlap, c.m_structured_overlap = columns["title_overlap"], columns["structured_overlap"]
        c.m_in_title = columns["in_title"]
        # The block's own text.
        c.m_log_chars, c.m_mean_word_length = columns["log_chars"], columns["mean_word_length"]
        c.m_link_density, c.m_text_density = columns["link_density"], columns["text_density"]
        c.m_ends_with_punctuation, c.m_digit_share = columns["ends_with_punctuation"], columns["digit_share"]
        c.m_upper_share, c.m_alpha_share = columns["upper_share"], columns["alpha_share"]
        c.m_comma_per_word, c.m_separator_share = columns["comma_per_word"], columns["separator_share"]
        c.m_non_ascii_share, c.m_has_copyright = columns["non_ascii_share"], columns["has_copyright"]
        c.m_date_like, c.m_starts_lower = columns["date_like"], columns["starts_lower"]
        c.l_log_words, c.l_log_tokens, c.l_log_links = log1p["log_words"], log1p["log_tokens"], log1p["log_links"]
        c.l_log_sentence_ends, c.l_log_lines = log1p["log_sentence_ends"], log1p["log_lines"]
        # Position, tag and bits.
        c.m_relative_index, c.m_relative_char_position = columns["relative_index"], columns["relative_char_position"]
        c.m_depth, c.m_relative_depth = columns["depth"], columns["relative_depth"]
        (c.m_tag_first, c.tag_count), c.m_is_heading = tags, columns["is_heading"]
        c.bit_group_count = _small_group([first for first, _ in bit_groups], c.bit_first)
        _small_group([count for _, count in bit_groups], c.bit_count)
        # The page.
        c.m_page_link_density, c.m_page_has_article = columns["page_link_density"], columns["page_has_article"]
        c.m_page_has_main, c.m_page_article_share = columns["page_has_main"], columns["page_article_share"]
        c.m_page_main_share, c.m_page_li_share = columns["page_main_share"], columns["page_li_share"]
        c.m_page_cell_share, c.m_page_has_structured_text = columns["page_cell_share"], columns["page_has_structured_text"]
        c.m_page_kinds_first, c.page_kinds_count = page_kinds
        c.l_page_log_blocks, c.l_page_log_chars = log1p["page_log_blocks"], log1p["page_log_chars"]
        c.l_page_log_max_block = log1p["page_log_max_block"]
        c.article_bit, c.main_bit, c.li_tag, c.cell_tag = article_bit, main_bit, li_tag, cell_tag
        # Paths.
        c.g_path_log_count, c.m_path_char_share = log["path_log_count"], columns["path_char_share"]
        c.m_path_link_density, c.m_path_mean_log_chars = columns["path_link_density"], columns["path_mean_log_chars"]
        c.g_parent_path_log_count, c.m_parent_path_char_share = log["parent_path_log_count"], columns["parent_path_char_share"]
        c.m_parent_path_link_density = columns["parent_path_link_density"]
        c.m_parent_path_heading_share = columns["parent_path_heading_share"]
        c.m_parent_path_linked_heading_share = columns["parent_path_linked_heading_share"]
        c.g_grandparent_path_log_count = log["grandparent_path_log_count"]
        c.m_grandparent_path_char_share = columns["grandparent_path_char_share"]
        c.m_grandparent_path_heading_share = columns["grandparent_path_heading_share"]
        c.linked_heading_density = linked_heading_density
        # Long blocks and table rows.
        c.l_distance_to_long_block, c.l_long_blocks_before = log1p["distance_to_long_block"], log1p["long_blocks_before"]
        c.l_long_blocks_after = log1p["long_blocks_after"]
        c.long_min_chars, c.long_max_density = long_block
        c.l_row_log_cells, c.m_row_link_density = log1p["row_log_cells"], columns["row_link_density"]
        c.m_row_mean_log_chars = columns["row_mean_log_chars"]
        # Containers and the container chain.
        c.m_parent_char_share, c.m_parent_link_density = columns["parent_char_share"], columns["parent_link_density"]
        c.l_parent_log_blocks, c.l_parent_mean_block_chars = log1p["parent_log_blocks"], log1p["parent_mean_block_chars"]
        c.m_grandparent_char_share = columns["grandparent_char_share"]
        c.m_grandparent_link_density = columns["grandparent_link_density"]
        c.l_grandparent_log_blocks, c.l_own_log_blocks = log1p["grandparent_log_blocks"], log1p["own_log_blocks"]
        if not 0 < ancestor_levels <= MAX_LEVELS:
            raise ValueError(f"ancestor_levels must be in 1..{MAX_LEVELS}")
        c.levels = ancestor_levels
        c.share_count = _small_group([levels for _, levels, _ in ancestor_shares], c.m_levels_to_share)
        _small_group([density for _, _, density in ancestor_shares], c.m_link_density_at_share)
        for k, (share, _, _) in enumerate(ancestor_shares):
            c.shares[k] = share
        c.level_count = _small_group([level for level, _ in share_levels], c.share_levels)
        _small_group([column for _, column in share_levels], c.m_share_at_level)
        if any(not 0 <= level < ancestor_levels for level, _ in share_levels):
            raise ValueError("a share level beyond the chain")
        # Cards, headings and the main text cluster.
        c.l_parent_log_anchors, c.l_parent_log_targets = log1p["parent_log_anchors"], log1p["parent_log_targets"]
        c.l_parent_log_headings = log1p["parent_log_headings"]
        c.l_grandparent_log_anchors = log1p["grandparent_log_anchors"]
        c.l_grandparent_log_targets = log1p["grandparent_log_targets"]
        c.l_grandparent_log_headings = log1p["grandparent_log_headings"]
        c.m_heading_before_link_density = columns["heading_before_link_density"]
        c.l_log_blocks_since_heading = log1p["log_blocks_since_heading"]
        c.m_in_cluster, c.m_before_cluster = columns["in_cluster"], columns["before_cluster"]
        c.m_after_cluster, c.l_log_cluster_distance = columns["after_cluster"], log1p["log_cluster_distance"]
        c.m_levels_to_cluster, c.m_cluster_char_share = columns["levels_to_cluster"], columns["cluster_char_share"]
        c.m_cluster_link_density, c.m_cluster_long_share = columns["cluster_link_density"], columns["cluster_long_share"]
        c.cluster_min_chars, c.cluster_max_density, c.cluster_growth, c.cluster_other_growth, c.cluster_added_share = cluster
        c.mean_word_length_cap, c.line_chars = text
        c.depth_cap = depth_cap
        # Neighbours: (base columns, their fills, (offset, first column) pairs); windows alike.
        base, fills, offsets = context
        c.context_count = _small_group(base, c.m_context)
        for k, fill in enumerate(fills):
            c.context_fill[k] = fill
        c.offset_count = _small_group([offset for offset, _ in offsets], c.offsets)
        _small_group([first for _, first in offsets], c.m_offset_first)
        base, radii = windows
        c.window_base_count = _small_group(base, c.m_window_base)
        c.window_count = _small_group([radius for radius, _ in radii], c.radii)
        _small_group([first for _, first in radii], c.m_window_first)


cdef bint _of_kind(const Py_buffer *view, int kind) noexcept:
    """Whether the buffer's items are of `kind`: "d", "q" or "l", "Q" or "L", "f" (native,
    after an optional "@", "=" or "<"), 8 bytes each but FLOAT32's 4."""
    cdef const char *format = view.format
    if format == NULL:
        return False
    if format[0] == b"@" or format[0] == b"=" or format[0] == b"<":
        format += 1
    if format[0] == 0 or format[1] != 0:
        return False
    if kind == FLOAT64:
        return format[0] == b"d" and view.itemsize == 8
    if kind == INT64:
        return (format[0] == b"q" or format[0] == b"l") and view.itemsize == 8
    if kind == UINT64:
        return (format[0] == b"Q" or format[0] == b"L") and view.itemsize == 8
    return format[0] == b"f" and view.itemsize == 4


cdef bint _of_shape(const Py_buffer *view, Py_ssize_t length, Py_ssize_t width) noexcept:
    """Whether the buffer has `length` rows of `width` columns (none: one dimension)."""
    if width:
        return view.ndim == 2 and view.shape[0] == length and view.shape[1] == width
    return view.ndim == 1 and view.shape[0] == length


@cython.final
cdef class _Call:
    """What one call to `fill` holds: the buffers of the arrays it reads and writes, and its
    C arrays; all released when it goes."""

    cdef Py_buffer views[MAX_BUFFERS]
    cdef int held
    cdef void *memory[MAX_BUFFERS]
    cdef int allocated

    def __dealloc__(self):
        cdef int k
        for k in range(self.held):
            PyBuffer_Release(&self.views[k])
        for k in range(self.allocated):
            PyMem_Free(self.memory[k])

    cdef void *array(self, object value, int kind, Py_ssize_t length, Py_ssize_t width=0, bint writable=False) except NULL:
        """The data of `value`, an array of `kind` (FLOAT64, INT64, FLOAT32) with `length` rows
        (of `width` columns, C-contiguous; none: one dimension, copied when strided)."""
        cdef Py_buffer *view
        cdef Py_ssize_t k, stride
        cdef char *copy
        if self.held == MAX_BUFFERS:
            raise RuntimeError("too many arrays")
        view = &self.views[self.held]
        if width:
            PyObject_GetBuffer(value, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (PyBUF_WRITABLE if writable else 0))
        else:
            PyObject_GetBuffer(value, view, PyBUF_STRIDES | PyBUF_FORMAT)
        self.held += 1
        if not _of_kind(view, kind) or not _of_shape(view, length, width):
            shape = [view.shape[k] for k in range(view.ndim)]
            expected = "float64" if kind == FLOAT64 else "int64" if kind == INT64 else "uint64" if kind == UINT64 else "float32"
            raise ValueError(f"expected {length} rows of {width or 1} {expected}, got an array {shape} of {view.format!r}")
        stride = view.strides[0] if not width else 0
        if width or stride == view.itemsize:
            return view.buf
        # A column of a matrix (`_PageArrays` reads its numbers as one): its items in a row.
        copy = <char *>self.zeros(length, view.itemsize)
        for k in range(length):
            memcpy(copy + k * view.itemsize, <char *>view.buf + k * stride, view.itemsize)
        return copy

    cdef void *zeros(self, Py_ssize_t count, size_t size) except NULL:
        """`count` zeroed items of `size` bytes."""
        cdef void *memory
        if self.allocated == MAX_BUFFERS:
            raise RuntimeError("too many arrays")
        memory = PyMem_Calloc(count if count > 0 else 1, size)
        if memory == NULL:
            raise MemoryError()
        self.memory[self.allocated] = memory
        self.allocated += 1
        return memory

    cdef Rest *rest(self, Rest *rest, Py_ssize_t capacity) except NULL:
        """`rest`, empty, with room for `capacity` arguments."""
        rest.positions = <int64_t *>self.zeros(capacity, sizeof(int64_t))
        rest.values = <double *>self.zeros(capacity, sizeof(double))
        rest.count = 0
        return rest

    cdef double *doubles_of(self, list values) except NULL:
        cdef Py_ssize_t k, count = len(values)
        cdef double *out = <double *>self.zeros(count, sizeof(double))
        for k in range(count):
            out[k] = <int64_t>values[k]
        return out

    cdef int64_t *integers_of(self, list values) except NULL:
        cdef Py_ssize_t k, count = len(values)
        cdef int64_t *out = <int64_t *>self.zeros(count, sizeof(int64_t))
        for k in range(count):
            out[k] = values[k]
        return out


cdef struct Blocks:
    # Each block's numbers (`features._PageArrays`), and page totals.
    Py_ssize_t n
    const double *chars
    const double *words
    const double *tokens
    const double *links
    const double *link_chars
    const double *link_density
    const double *log_chars
    const double *depth
    const double *heading
    const double *sampled
    const double *ends_with_punctuation
    const double *starts_lower
    const double *has_copyright
    const double *date_like
    const int64_t *alpha
    const int64_t *upper
    const int64_t *digits
    const int64_t *non_ascii
    const int64_t *sentence_ends
    const int64_t *commas
    const int64_t *separators
    const int64_t *newlines
    const int64_t *flags
    const int64_t *bit_values[MAX_GROUP]
    const int64_t *own
    const int64_t *parent
    const int64_t *grandparent
    const int64_t *rows
    const int64_t *tag
    const int64_t *path
    const int64_t *parent_path
    const int64_t *grandparent_path
    double total_chars
    double total_link_chars


cdef struct Elements:
    # `features._Elements`: the page's block-level elements, and each one's link targets.
    Py_ssize_t count
    double *chars
    double *link_chars
    double *blocks
    double *anchors
    double *headings
    double *targets
    int64_t *parent
    int64_t *first
    int64_t *last
    double page_targets


cdef struct Rest:
    # Arguments of a logarithm that no table holds, and their places in the matrix (flat).
    int64_t *positions
    double *values
    Py_ssize_t count


cdef struct Out:
    # Where the values go: the float32 matrix; the tables of logarithms of 0, 1, 2... and what
    # they do not hold.
    float *matrix
    const float *log1p_of
    const float *log_of
    Py_ssize_t table_size
    Rest *log1p_rest
    Rest *log_rest


cdef inline double minimum(double a, double b) noexcept nogil:
    """np.minimum: the smaller of the two, NaN if either is."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


cdef inline double maximum(double a, double b) noexcept nogil:
    """np.maximum: the larger of the two, NaN if either is."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


cdef inline void put(const Columns *c, const Out *out, Py_ssize_t i, Py_ssize_t column, double value) noexcept nogil:
    out.matrix[i * c.width + column] = <float>value


cdef inline void put_logarithm(
    const Out *out, Py_ssize_t position, double value, const float *table, Py_ssize_t first, Rest *rest
) noexcept nogil:
    """The logarithm of `value` at `position`: from `table` for a whole number in [first, its
    size), else left to numpy (`rest`). -0.0 is left too: its log1p is -0.0."""
    cdef Py_ssize_t k
    if first <= value < out.table_size:  # not NaN
        k = <Py_ssize_t>value
        if k == value and (k != 0 or copysign(1.0, value) > 0):
            out.matrix[position] = table[k]
            return
    rest.positions[rest.count] = position
    rest.values[rest.count] = value
    rest.count += 1


cdef inline void put_log1p(const Columns *c, const Out *out, Py_ssize_t i, Py_ssize_t slot, double value) noexcept nogil:
    """Column `l_*` `slot` of block i: np.log1p(value)."""
    put_logarithm(out, i * c.width + c.m_log1p[slot], value, out.log1p_of, 0, out.log1p_rest)


cdef inline void put_log(const Columns *c, const Out *out, Py_ssize_t i, Py_ssize_t slot, double value) noexcept nogil:
    """Column `g_*` `slot` of block i: np.log(value)."""
    put_logarithm(out, i * c.width + c.m_log[slot], value, out.log_of, 1, out.log_rest)


cdef inline double get(const Columns *c, const Out *out, Py_ssize_t i, Py_ssize_t column) noexcept nogil:
    return out.matrix[i * c.width + column]


cdef void text_columns(const Columns *c, const Blocks *b, const Out *out) noexcept nogil:
    """`features._text_columns`, but the tokens."""
    cdef Py_ssize_t i
    cdef double chars, words, safe_words, safe_alpha
    for i in range(b.n):
        chars, words = b.chars[i], b.words[i]
        safe_words = maximum(words, 1.0)
        safe_alpha = <double>(b.alpha[i] if b.alpha[i] > 1 else 1)
        put(c, out, i, c.m_log_chars, b.log_chars[i])
        put_log1p(c, out, i, c.l_log_words, words)
        put_log1p(c, out, i, c.l_log_tokens, b.tokens[i])
        put(c, out, i, c.m_mean_word_length, minimum(chars / safe_words, c.mean_word_length_cap))
        put(c, out, i, c.m_link_density, b.link_density[i])
        put_log1p(c, out, i, c.l_log_links, b.links[i])
        put(c, out, i, c.m_text_density, words / maximum(ceil(chars / c.line_chars), 1.0))
        put_log1p(c, out, i, c.l_log_sentence_ends, <double>b.sentence_ends[i])
        put(c, out, i, c.m_ends_with_punctuation, b.ends_with_punctuation[i])
        put(c, out, i, c.m_digit_share, <double>b.digits[i] / b.sampled[i])
        put(c, out, i, c.m_upper_share, <double>b.upper[i] / safe_alpha)
        put(c, out, i, c.m_alpha_share, <double>b.alpha[i] / b.sampled[i])
        put(c, out, i, c.m_comma_per_word, <double>b.commas[i] / safe_words)
        put(c, out, i, c.m_separator_share, <double>b.separators[i] / chars)
        put(c, out, i, c.m_non_ascii_share, <double>b.non_ascii[i] / safe_alpha)
        put(c, out, i, c.m_has_copyright, b.has_copyright[i])
        put(c, out, i, c.m_date_like, b.date_like[i])
        put_log1p(c, out, i, c.l_log_lines, <double>(b.newlines[i] + 1))
        put(c, out, i, c.m_starts_lower, b.starts_lower[i])


cdef void position_tag_and_flag_columns(const Columns *c, const Blocks *b, const Out *out) noexcept nogil:
    """`features._position_columns` and `features._tag_and_flag_columns`."""
    cdef Py_ssize_t i, group, bit
    cdef double before = 0.0, deepest = b.depth[0]
    cdef double last_index = <double>(b.n - 1 if b.n > 1 else 1)
    for i in range(b.n):
        if b.depth[i] > deepest or b.depth[i] != b.depth[i]:
            deepest = b.depth[i]
    deepest = maximum(deepest, 1.0)
    for i in range(b.n):
        put(c, out, i, c.m_relative_index, <double>i / last_index)
        put(c, out, i, c.m_relative_char_position, before / b.total_chars)
        before += b.chars[i]
        put(c, out, i, c.m_depth, minimum(b.depth[i], c.depth_cap))
        put(c, out, i, c.m_relative_depth, b.depth[i] / deepest)
        if b.tag[i] >= 0:
            put(c, out, i, c.m_tag_first + b.tag[i], 1.0)
        put(c, out, i, c.m_is_heading, b.heading[i])
        for group in range(c.bit_group_count):
            for bit in range(c.bit_count[group]):
                put(c, out, i, c.bit_first[group] + bit, <double>((b.bit_values[group][i] >> bit) & 1))


cdef void page_columns(const Columns *c, const Blocks *b, const Out *out, bint has_structured_text, const double *kinds) noexcept nogil:
    """`features._page_columns`: the same values on every row."""
    cdef Py_ssize_t i, k
    cdef double article = 0.0, main = 0.0, li = 0.0, cell = 0.0, largest = b.chars[0]
    cdef bint has_article = False, has_main = False
    for i in range(b.n):
        if (b.flags[i] >> c.article_bit) & 1:
            article += b.chars[i]
            has_article = True
        if (b.flags[i] >> c.main_bit) & 1:
            main += b.chars[i]
            has_main = True
        if b.tag[i] == c.li_tag:
            li += b.chars[i]
        elif b.tag[i] == c.cell_tag:
            cell += b.chars[i]
        if b.chars[i] > largest or b.chars[i] != b.chars[i]:
            largest = b.chars[i]
    for i in range(b.n):
        put_log1p(c, out, i, c.l_page_log_blocks, <double>b.n)
        put_log1p(c, out, i, c.l_page_log_chars, b.total_chars)
        put(c, out, i, c.m_page_link_density, b.total_link_chars / b.total_chars)
        put(c, out, i, c.m_page_has_article, has_article)
        put(c, out, i, c.m_page_has_main, has_main)
        put(c, out, i, c.m_page_article_share, article / b.total_chars)
        put(c, out, i, c.m_page_main_share, main / b.total_chars)
        put(c, out, i, c.m_page_li_share, li / b.total_chars)
        put(c, out, i, c.m_page_cell_share, cell / b.total_chars)
        put_log1p(c, out, i, c.l_page_log_max_block, largest)
        put(c, out, i, c.m_page_has_structured_text, has_structured_text)
        if kinds != NULL:
            for k in range(c.page_kinds_count):
                put(c, out, i, c.m_page_kinds_first + k, kinds[k])


cdef Py_ssize_t key_count(const int64_t *keys, Py_ssize_t n) noexcept nogil:
    """One more than the largest non-negative key (0 if none)."""
    cdef Py_ssize_t i
    cdef int64_t largest = -1
    for i in range(n):
        if keys[i] > largest:
            largest = keys[i]
    return <Py_ssize_t>(largest + 1)


cdef int path_columns(_Call call, const Columns *c, const Blocks *b, const Out *out) except -1:
    """`features._path_columns`: sums over the blocks of the block's path, its parent path and
    its grandparent path (numbered by `features`)."""
    cdef Py_ssize_t i, p, keys = key_count(b.path, b.n)
    cdef Py_ssize_t up_keys = max(key_count(b.parent_path, b.n), key_count(b.grandparent_path, b.n))
    cdef double *count = <double *>call.zeros(keys, sizeof(double))
    cdef double *chars = <double *>call.zeros(keys, sizeof(double))
    cdef double *link_chars = <double *>call.zeros(keys, sizeof(double))
    cdef double *log_chars = <double *>call.zeros(keys, sizeof(double))
    cdef double *parent_count = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *parent_chars = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *parent_link_chars = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *parent_headings = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *parent_linked_headings = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *grandparent_count = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *grandparent_chars = <double *>call.zeros(up_keys, sizeof(double))
    cdef double *grandparent_headings = <double *>call.zeros(up_keys, sizeof(double))
    for i in range(b.n):
        p = b.path[i]
        count[p] += 1.0
        chars[p] += b.chars[i]
        link_chars[p] += b.link_chars[i]
        log_chars[p] += b.log_chars[i]
        p = b.parent_path[i]
        parent_count[p] += 1.0
        parent_chars[p] += b.chars[i]
        parent_link_chars[p] += b.link_chars[i]
        parent_headings[p] += b.heading[i]
        parent_linked_headings[p] += b.heading[i] * (b.link_density[i] > c.linked_heading_density)
        p = b.grandparent_path[i]
        grandparent_count[p] += 1.0
        grandparent_chars[p] += b.chars[i]
        grandparent_headings[p] += b.heading[i]
    for i in range(b.n):
        p = b.path[i]
        put_log(c, out, i, c.g_path_log_count, count[p])
        put(c, out, i, c.m_path_char_share, chars[p] / b.total_chars)
        put(c, out, i, c.m_path_link_density, link_chars[p] / chars[p])
        put(c, out, i, c.m_path_mean_log_chars, log_chars[p] / count[p])
        p = b.parent_path[i]
        put_log(c, out, i, c.g_parent_path_log_count, parent_count[p])
        put(c, out, i, c.m_parent_path_char_share, parent_chars[p] / b.total_chars)
        put(c, out, i, c.m_parent_path_heading_share, parent_headings[p] / parent_count[p])
        put(c, out, i, c.m_parent_path_link_density, parent_link_chars[p] / parent_chars[p])
        put(c, out, i, c.m_parent_path_linked_heading_share, parent_linked_headings[p] / parent_count[p])
        p = b.grandparent_path[i]
        put_log(c, out, i, c.g_grandparent_path_log_count, grandparent_count[p])
        put(c, out, i, c.m_grandparent_path_char_share, grandparent_chars[p] / b.total_chars)
        put(c, out, i, c.m_grandparent_path_heading_share, grandparent_headings[p] / grandparent_count[p])
    return 0


cdef int long_block_columns(_Call call, const Columns *c, const Blocks *b, const Out *out) except -1:
    """`features._long_block_columns`: the distance to the nearest long, unlinked block, and
    how many lie before and after."""
    cdef Py_ssize_t i, total = 0, seen = 0, previous = -1, distance
    cdef Py_ssize_t *following
    for i in range(b.n):
        total += is_long(c, b, i)
    if total == 0:
        for i in range(b.n):
            put_log1p(c, out, i, c.l_distance_to_long_block, <double>b.n)
        return 0
    following = <Py_ssize_t *>call.zeros(b.n, sizeof(Py_ssize_t))  # the first long block at or after each; -1: none
    distance = -1
    for i in range(b.n - 1, -1, -1):
        if is_long(c, b, i):
            distance = i
        following[i] = distance
    for i in range(b.n):
        if is_long(c, b, i):
            previous = i
        if following[i] < 0 or (previous >= 0 and i - previous < following[i] - i):
            distance = i - previous
        else:
            distance = following[i] - i
        put_log1p(c, out, i, c.l_distance_to_long_block, <double>distance)
        put_log1p(c, out, i, c.l_long_blocks_before, <double>seen)
        seen += is_long(c, b, i)
        put_log1p(c, out, i, c.l_long_blocks_after, <double>(total - seen))
    return 0


cdef inline bint is_long(const Columns *c, const Blocks *b, Py_ssize_t i) noexcept nogil:
    return b.chars[i] >= c.long_min_chars and b.link_density[i] < c.long_max_density


cdef int row_columns(_Call call, const Columns *c, const Blocks *b, const Out *out) except -1:
    """`features._row_columns`: the cells of the block's table row, their link density and
    mean log length (blocks in no row: 0)."""
    cdef Py_ssize_t i, r, rows = key_count(b.rows, b.n)
    cdef double *cells
    cdef double *chars
    cdef double *link_chars
    cdef double *log_chars
    if rows == 0:
        return 0
    cells = <double *>call.zeros(rows, sizeof(double))
    chars = <double *>call.zeros(rows, sizeof(double))
    link_chars = <double *>call.zeros(rows, sizeof(double))
    log_chars = <double *>call.zeros(rows, sizeof(double))
    for i in range(b.n):
        r = b.rows[i]
        if r >= 0:
            cells[r] += 1.0
            chars[r] += b.chars[i]
            link_chars[r] += b.link_chars[i]
            log_chars[r] += b.log_chars[i]
    for i in range(b.n):
        r = b.rows[i]
        if r >= 0:
            put_log1p(c, out, i, c.l_row_log_cells, cells[r])
            put(c, out, i, c.m_row_link_density, minimum(link_chars[r] / chars[r], 1.0))
            put(c, out, i, c.m_row_mean_log_chars, log_chars[r] / cells[r])
    return 0


cdef void heading_columns(const Columns *c, const Blocks *b, const Out *out) noexcept nogil:
    """`features._heading_columns`: the last heading strictly before the block."""
    cdef Py_ssize_t i, before = -1
    for i in range(b.n):
        if before >= 0:
            put(c, out, i, c.m_heading_before_link_density, b.link_density[before])
            put_log1p(c, out, i, c.l_log_blocks_since_heading, <double>(i - before))
        else:
            put_log1p(c, out, i, c.l_log_blocks_since_heading, <double>(i + 1))
        if b.heading[i] > 0:
            before = i


cdef int read_elements(_Call call, Elements *e, page, Py_ssize_t n_blocks) except -1:
    """`features._Elements.of`, and each element's link targets (`element_link_targets`)."""
    totals = page.elements
    cdef list blocks = totals.blocks
    cdef Py_ssize_t k, count = len(blocks)
    for values in (totals.chars, totals.link_chars, totals.anchors, totals.headings, totals.parent, totals.first_block):
        if len(values) != count:
            raise ValueError("the element totals differ in length")
    e.count = count
    e.chars = call.doubles_of(totals.chars)
    e.link_chars = call.doubles_of(totals.link_chars)
    e.blocks = call.doubles_of(blocks)
    e.anchors = call.doubles_of(totals.anchors)
    e.headings = call.doubles_of(totals.headings)
    e.parent = call.integers_of(totals.parent)
    e.first = call.integers_of(totals.first_block)
    e.last = <int64_t *>call.zeros(count, sizeof(int64_t))
    for k in range(count):
        e.last[k] = e.first[k] + <int64_t>e.blocks[k]
        if not (e.first[k] >= 0 and e.last[k] <= n_blocks and -1 <= e.parent[k] < count):
            raise ValueError(f"element {k} lies outside the page")
    if count:
        element_link_targets(call, e, page)
    return 0


cdef int element_link_targets(_Call call, Elements *e, page) except -1:
    """`features._element_link_targets`: for each element, the runs of links to one target in
    its subtree, and the page's number of distinct targets."""
    cdef list targets = page.link_targets
    cdef Py_ssize_t k, low, high, count = len(targets)
    cdef int64_t *blocks
    cdef int64_t *runs
    cdef char *starts
    e.targets = <double *>call.zeros(e.count, sizeof(double))
    e.page_targets = 0.0
    if count == 0:
        return 0
    if len(page.link_blocks) != count:
        raise ValueError("link_targets and link_blocks differ in length")
    blocks = call.integers_of(page.link_blocks)
    starts = <char *>call.zeros(count, sizeof(char))
    runs = <int64_t *>call.zeros(count + 1, sizeof(int64_t))
    previous = None
    for k in range(count):
        target = targets[k]
        starts[k] = k == 0 or target != previous
        runs[k + 1] = runs[k] + starts[k]
        previous = target
    for k in range(e.count):
        low = lower_bound(blocks, count, e.first[k])
        high = lower_bound(blocks, count, e.last[k])
        # A run cut by the subtree's first link starts there.
        e.targets[k] = <double>(runs[high] - runs[low] + (high > low and not starts[low if low < count else count - 1]))
    e.page_targets = <double>len(set(targets))
    return 0


cdef inline Py_ssize_t lower_bound(const int64_t *values, Py_ssize_t count, int64_t value) noexcept nogil:
    """np.searchsorted(values, value, side="left") in the sorted `values`."""
    cdef Py_ssize_t low = 0, high = count, middle
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


cdef Py_ssize_t chain(const Elements *e, int64_t own, Py_ssize_t levels, int64_t *elements) noexcept nogil:
    """The block's container chain (`features._Chain`): its own element and those above it,
    at most `levels`, into `elements`; their number (the living levels: after them the
    reference repeats the outermost with alive False)."""
    cdef Py_ssize_t level = 0
    cdef int64_t current = own
    if own < 0:
        return 0
    while True:
        elements[level] = current
        level += 1
        if level == levels or e.parent[current] < 0:
            return level
        current = e.parent[current]


cdef void container_columns(const Columns *c, const Blocks *b, const Elements *e, const Out *out) noexcept nogil:
    """`features._container_columns` and `features._ancestor_features`."""
    cdef Py_ssize_t i, k, level, alive, first
    cdef int64_t element
    cdef int64_t elements[MAX_LEVELS]
    cdef double shares[MAX_LEVELS]
    cdef double densities[MAX_LEVELS]
    cdef double whole = maximum(b.total_chars, 1.0)
    for i in range(b.n):
        container(c, b, e, out, i, b.parent[i], c.m_parent_char_share, c.m_parent_link_density, c.l_parent_log_blocks, c.l_parent_mean_block_chars)
        container(c, b, e, out, i, b.grandparent[i], c.m_grandparent_char_share, c.m_grandparent_link_density, c.l_grandparent_log_blocks, -1)
        put_log1p(c, out, i, c.l_own_log_blocks, e.blocks[b.own[i] if b.own[i] > 0 else 0])
        # Past the outermost container a block's "container" is the whole page (share 1, link
        # density 0).
        alive = chain(e, b.own[i], c.levels, elements)
        for level in range(c.levels):
            if level < alive:
                element = elements[level]
                shares[level] = e.chars[element] / whole
                densities[level] = minimum(e.link_chars[element] / maximum(e.chars[element], 1.0), 1.0)
            else:
                shares[level], densities[level] = 1.0, 0.0
        for k in range(c.share_count):
            first = -1
            for level in range(c.levels):
                if shares[level] >= c.shares[k]:
                    first = level
                    break
            put(c, out, i, c.m_levels_to_share[k], <double>(first if first >= 0 else c.levels))
            put(c, out, i, c.m_link_density_at_share[k], densities[first] if first >= 0 else 1.0)
        for k in range(c.level_count):
            put(c, out, i, c.m_share_at_level[k], shares[c.share_levels[k]])


cdef inline void container(
    const Columns *c, const Blocks *b, const Elements *e, const Out *out, Py_ssize_t i, int64_t element,
    Py_ssize_t m_share, Py_ssize_t m_density, Py_ssize_t l_blocks, Py_ssize_t l_mean
) noexcept nogil:
    """The parent or grandparent element's columns (the whole page when there is none)."""
    cdef double chars = e.chars[element] if element >= 0 else b.total_chars
    cdef double links = e.link_chars[element] if element >= 0 else b.total_link_chars
    cdef double blocks = e.blocks[element] if element >= 0 else <double>b.n
    put(c, out, i, m_share, chars / b.total_chars)
    put(c, out, i, m_density, minimum(links / maximum(chars, 1.0), 1.0))
    put_log1p(c, out, i, l_blocks, blocks)
    if l_mean >= 0:
        put_log1p(c, out, i, l_mean, chars / maximum(blocks, 1.0))


cdef void card_columns(const Columns *c, const Blocks *b, const Elements *e, const Out *out, double page_links) noexcept nogil:
    """`features._card_columns`: anchors, link targets and headings of the parent and the
    grandparent element (the whole page's when there is none)."""
    cdef Py_ssize_t i
    cdef int64_t p, g
    cdef double page_headings = 0.0
    for i in range(b.n):
        page_headings += b.heading[i]
    for i in range(b.n):
        p, g = b.parent[i], b.grandparent[i]
        put_log1p(c, out, i, c.l_parent_log_anchors, e.anchors[p] if p >= 0 else page_links)
        put_log1p(c, out, i, c.l_parent_log_targets, e.targets[p] if p >= 0 else e.page_targets)
        put_log1p(c, out, i, c.l_parent_log_headings, e.headings[p] if p >= 0 else page_headings)
        put_log1p(c, out, i, c.l_grandparent_log_anchors, e.anchors[g] if g >= 0 else page_links)
        put_log1p(c, out, i, c.l_grandparent_log_targets, e.targets[g] if g >= 0 else e.page_targets)
        put_log1p(c, out, i, c.l_grandparent_log_headings, e.headings[g] if g >= 0 else page_headings)


cdef int cluster_columns(_Call call, const Columns *c, const Blocks *b, const Elements *e, const Out *out) except -1:
    """`features._cluster_columns` and `features._main_cluster`."""
    cdef Py_ssize_t i, k, level, alive, levels, best = -1
    cdef int64_t start, end, up
    cdef int64_t elements[MAX_LEVELS]
    cdef double long_chars, added, cluster_chars
    cdef double *cumulative = <double *>call.zeros(b.n + 1, sizeof(double))
    cdef double *inside_long = <double *>call.zeros(e.count, sizeof(double))
    cdef double *own_long = <double *>call.zeros(e.count, sizeof(double))
    for i in range(b.n):
        long_chars = b.chars[i] if b.chars[i] >= c.cluster_min_chars and b.link_density[i] < c.cluster_max_density else 0.0
        cumulative[i + 1] = cumulative[i] + long_chars
        if long_chars > 0 and b.parent[i] >= 0:
            own_long[b.parent[i]] += long_chars
    for k in range(e.count):
        inside_long[k] = cumulative[e.last[k]] - cumulative[e.first[k]]
        if own_long[k] > 0 and (best < 0 or own_long[k] > own_long[best]):
            best = k
    if best < 0:
        for i in range(b.n):
            put_log1p(c, out, i, c.l_log_cluster_distance, <double>b.n)
            put(c, out, i, c.m_levels_to_cluster, <double>c.levels)
        return 0
    # The story's container grows to the element above while that adds more long paragraphs
    # than other text.
    up = e.parent[best]
    while up >= 0:
        added = inside_long[up] - inside_long[best]
        if inside_long[up] < c.cluster_growth * inside_long[best] or other_chars(e, inside_long, up) > c.cluster_other_growth * other_chars(e, inside_long, best) + c.cluster_added_share * added:
            break
        best = up
        up = e.parent[best]
    start, end = e.first[best], e.last[best]
    cluster_chars = e.chars[best] if e.chars[best] >= 1.0 else 1.0
    for i in range(b.n):
        put(c, out, i, c.m_in_cluster, start <= i < end)
        put(c, out, i, c.m_before_cluster, i < start)
        put(c, out, i, c.m_after_cluster, i >= end)
        put_log1p(c, out, i, c.l_log_cluster_distance, <double>(start - i if i < start else (i - end + 1 if i >= end else 0)))
        # Levels up to the first container whose blocks include the cluster's.
        levels = 0
        if not start <= i < end:
            alive = chain(e, b.own[i], c.levels, elements)
            levels = c.levels
            for level in range(alive):
                if e.first[elements[level]] <= start and e.last[elements[level]] >= end:
                    levels = level
                    break
        put(c, out, i, c.m_levels_to_cluster, <double>levels)
        put(c, out, i, c.m_cluster_char_share, cluster_chars / b.total_chars)
        put(c, out, i, c.m_cluster_link_density, python_min(e.link_chars[best] / cluster_chars, 1.0))
        put(c, out, i, c.m_cluster_long_share, inside_long[best] / cumulative[b.n])
    return 0


cdef inline double other_chars(const Elements *e, const double *inside_long, int64_t k) noexcept nogil:
    """An element's characters outside long paragraphs."""
    return e.chars[k] - inside_long[k]


cdef inline double python_min(double a, double b) noexcept nogil:
    """Python's min(a, b): the first unless the second is smaller."""
    return b if b < a else a


cdef void neighbour_columns(const Columns *c, Py_ssize_t n, const Out *out, double *sums) noexcept nogil:
    """`features._neighbour_columns`: the context columns of the blocks around (read back from
    the matrix, as float32), and their means over windows (`sums`: n + 1 zeroed doubles)."""
    cdef Py_ssize_t i, k, o, w, j, low, high
    for i in range(n):
        for o in range(c.offset_count):
            j = i + c.offsets[o]
            for k in range(c.context_count):
                put(c, out, i, c.m_offset_first[o] + k, get(c, out, j, c.m_context[k]) if 0 <= j < n else c.context_fill[k])
    for k in range(c.window_base_count):
        for i in range(n):
            sums[i + 1] = sums[i] + get(c, out, i, c.m_window_base[k])
        for w in range(c.window_count):
            for i in range(n):
                low = i - c.radii[w] if i > c.radii[w] else 0
                high = i + c.radii[w] + 1 if i + c.radii[w] + 1 < n else n
                put(c, out, i, c.m_window_first[w] + k, (sums[high] - sums[low]) / <double>(high - low))


cdef struct Ranked:  # a block's characters and number, for the stable order by characters
    double chars
    Py_ssize_t block


cdef int by_chars_then_block(const void *a, const void *b) noexcept nogil:
    cdef const Ranked *x = <const Ranked *>a
    cdef const Ranked *y = <const Ranked *>b
    if x.chars != y.chars:
        return -1 if x.chars < y.chars else 1
    return (x.block > y.block) - (x.block < y.block)


cdef struct HashSet:
    # Token hashes in open addressing: `mask` + 1 slots (a power of two, at least twice the
    # hashes), 0 for an empty slot; whether 0 itself is in the set is kept apart.
    uint64_t *slots
    uint64_t mask
    bint has_zero


cdef inline uint64_t slot_of(uint64_t value, uint64_t mask) noexcept nogil:
    """The first slot of `value`: bits 32 and up of its product with an odd constant
    (Fibonacci hashing), which depend on all of its bits."""
    return ((value * <uint64_t>0x9E3779B97F4A7C15) >> 32) & mask


cdef int fill_set(_Call call, HashSet *members, const uint64_t *values, Py_ssize_t count) except -1:
    """`members`, made to hold the `count` values."""
    cdef uint64_t size = 16, at
    cdef Py_ssize_t k
    while size < 2 * <uint64_t>count:
        size *= 2
    members.slots = <uint64_t *>call.zeros(size, sizeof(uint64_t))
    members.mask = size - 1
    members.has_zero = False
    for k in range(count):
        if values[k] == 0:
            members.has_zero = True
            continue
        at = slot_of(values[k], members.mask)
        while members.slots[at] != 0 and members.slots[at] != values[k]:
            at = (at + 1) & members.mask
        members.slots[at] = values[k]
    return 0


cdef inline bint contains(const HashSet *members, uint64_t value) noexcept nogil:
    """Whether `members` holds `value`."""
    if value == 0:
        return members.has_zero
    cdef uint64_t at = slot_of(value, members.mask)
    while members.slots[at] != 0:
        if members.slots[at] == value:
            return True
        at = (at + 1) & members.mask
    return False


cdef int token_overlap(
    _Call call, const Columns *c, const Out *out, Py_ssize_t column, Py_ssize_t n, Py_ssize_t n_tokens,
    const int64_t *token_block, const uint64_t *hashes, const double *token_counts, table,
) except -1:
    """Into `column`: the share of each block's tokens whose hash `table` holds (none when
    the table or the page has no token: the matrix's zeros stay)."""
    cdef Py_ssize_t count = len(table), t, i
    if count == 0 or n_tokens == 0:
        return 0
    cdef HashSet members
    fill_set(call, &members, <uint64_t *>call.array(table, UINT64, count), count)
    cdef double *found = <double *>call.zeros(n, sizeof(double))
    for t in range(n_tokens):
        if contains(&members, hashes[t]):
            found[token_block[t]] += 1.0
    for i in range(n):
        put(c, out, i, column, found[i] / maximum(token_counts[i], 1.0))
    return 0


def overlap(
    Layout layout,
    matrix,
    arrays,
    token_block,
    token_hashes,
    token_counts,
    log_chars,
    double link_density_mean,
    str title_lower,
    title_tokens,
    structured_tokens,
):
    """Fill the overlap columns of `matrix` as `features._overlap_columns` does, but the
    logarithms of duplicate counts that no table of `layout` holds: return those, their places
    in the flattened matrix (int64) and the counts (float64).
    `token_*`: the page's tokens (`features._Tokens`); `log_chars`: np.log1p of the blocks'
    characters; `link_density_mean`: the blocks' mean link density (numpy's pairwise sum);
    `title_tokens`, `structured_tokens`: the token hashes of the lower-cased title and
    structured text."""
    cdef Columns *c = &layout.c
    cdef _Call call = _Call()
    cdef Out out
    cdef Py_ssize_t i, k, n = arrays.n, n_tokens = len(token_hashes)
    cdef list texts = arrays.texts
    if n <= 0 or len(texts) != n:
        raise ValueError("a page of blocks with one text each expected")
    out.matrix = <float *>call.array(matrix, FLOAT32, n, c.width, True)
    cdef const double *chars = <double *>call.array(arrays.chars, FLOAT64, n)
    cdef const double *link_density = <double *>call.array(arrays.link_density, FLOAT64, n)
    cdef const double *logs = <double *>call.array(log_chars, FLOAT64, n)
    cdef const double *counts = <double *>call.array(token_counts, FLOAT64, n)
    cdef const int64_t *owner = <int64_t *>call.array(token_block, INT64, n_tokens)
    cdef const uint64_t *hashes = <uint64_t *>call.array(token_hashes, UINT64, n_tokens)
    for k in range(n_tokens):
        if not 0 <= owner[k] < n:
            raise ValueError(f"token {k} names a block the page does not have")
    token_overlap(call, c, &out, c.m_title_overlap, n, n_tokens, owner, hashes, counts, title_tokens)
    token_overlap(call, c, &out, c.m_structured_overlap, n, n_tokens, owner, hashes, counts, structured_tokens)
    cdef Py_ssize_t title_length = len(title_lower)
    for i in range(n):  # a block of 8 characters or more that the title contains
        if 8 <= chars[i] <= title_length and texts[i].lower() in title_lower:
            put(c, &out, i, c.m_in_title, 1.0)
    # The blocks in the stable order by characters: their ranks and the median's.
    cdef Ranked *ranked = <Ranked *>call.zeros(n, sizeof(Ranked))
    cdef double total = 0.0, most = chars[0], median
    for i in range(n):
        ranked[i].chars = chars[i]
        ranked[i].block = i
        total += chars[i]  # whole numbers: exact in any order, as numpy's pairwise sum
        most = maximum(most, chars[i])
    qsort(ranked, n, sizeof(Ranked), by_chars_then_block)
    if n % 2:
        median = logs[ranked[n // 2].block]
    else:  # np.median: the mean of the middle two
        median = (logs[ranked[n // 2 - 1].block] + logs[ranked[n // 2].block]) / 2.0
    for k in range(n):
        put(c, &out, ranked[k].block, c.m_chars_percentile, <double>k / <double>(n - 1 if n > 1 else 1))
    for i in range(n):
        put(c, &out, i, c.m_char_share, chars[i] / total)
        put(c, &out, i, c.m_log_chars_minus_median, logs[i] - median)
        put(c, &out, i, c.m_link_density_minus_mean, link_density[i] - link_density_mean)
        put(c, &out, i, c.m_chars_over_max, chars[i] / most)
    # How often each block's text is on the page, and its logarithm.
    cdef dict seen = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    cdef Rest log_rest
    _read_tables(&out, layout)
    out.log_rest = call.rest(&log_rest, n)
    for i in range(n):
        put_logarithm(&out, i * c.width + c.m_log_duplicates, <double><Py_ssize_t>seen[texts[i]], out.log_of, 1, out.log_rest)
    return _arrays_of(&log_rest)


def fill(
    Layout layout,
    matrix,
    arrays,
    token_counts,
    log_chars,
    page,
    page_kinds,
    bint has_structured_text,
):
    """Fill the columns of `matrix` (n blocks x the reference's columns, float32, zeros) that
    `features` computes after `_PageArrays` (`arrays`), but the overlap columns and the
    logarithms no table of `layout` holds. Return those: the places in the flattened matrix
    (int64) and arguments (float64) of the np.log1p columns, then of the np.log columns.
    `log_chars`: np.log1p of the blocks' characters; `page_kinds`: the page kind columns, or
    none."""
    cdef Columns *c = &layout.c
    cdef _Call call = _Call()
    cdef Blocks b
    cdef Elements e
    cdef Out out
    cdef Rest log1p_rest, log_rest
    cdef Py_ssize_t i, n = arrays.n
    cdef double *kinds = NULL
    if n <= 0:
        raise ValueError("a page of no blocks has no columns to fill")
    out.matrix = <float *>call.array(matrix, FLOAT32, n, c.width, True)
    _read_tables(&out, layout)
    out.log1p_rest, out.log_rest = call.rest(&log1p_rest, n * c.log1p_width), call.rest(&log_rest, n * c.log_width)
    read_blocks(call, &b, arrays, token_counts, log_chars, layout)
    if len(page_kinds):
        if len(page_kinds) != c.page_kinds_count:
            raise ValueError(f"{c.page_kinds_count} page kinds expected, not {len(page_kinds)}")
        kinds = <double *>call.zeros(c.page_kinds_count, sizeof(double))
        for i in range(c.page_kinds_count):
            kinds[i] = <float>page_kinds[i]
    text_columns(c, &b, &out)
    position_tag_and_flag_columns(c, &b, &out)
    page_columns(c, &b, &out, has_structured_text, kinds)
    path_columns(call, c, &b, &out)
    long_block_columns(call, c, &b, &out)
    row_columns(call, c, &b, &out)
    read_elements(call, &e, page, n)
    if e.count:
        for i in range(n):
            if not (b.own[i] < e.count and b.parent[i] < e.count and b.grandparent[i] < e.count):
                raise ValueError(f"block {i} names an element the page does not have")
        container_columns(c, &b, &e, &out)
        card_columns(c, &b, &e, &out, <double>page.n_links)
        cluster_columns(call, c, &b, &e, &out)
    heading_columns(c, &b, &out)
    neighbour_columns(c, n, &out, <double *>call.zeros(n + 1, sizeof(double)))
    return (*_arrays_of(&log1p_rest), *_arrays_of(&log_rest))


cdef void _read_tables(Out *out, Layout layout) noexcept:
    """Point `out` at `layout`'s tables of logarithms."""
    out.log1p_of, out.log_of, out.table_size = layout.log1p_of, layout.log_of, layout.table_size


cdef tuple _arrays_of(const Rest *rest):
    """The positions and values of `rest` as numpy arrays."""
    positions, values = np.empty(rest.count, dtype=np.int64), np.empty(rest.count, dtype=np.float64)
    cdef int64_t[::1] positions_view = positions
    cdef double[::1] values_view = values
    if rest.count:
        memcpy(&positions_view[0], rest.positions, rest.count * sizeof(int64_t))
        memcpy(&values_view[0], rest.values, rest.count * sizeof(double))
    return positions, values


cdef int read_blocks(_Call call, Blocks *b, arrays, token_counts, log_chars, Layout layout) except -1:
    """Point `b` at the arrays of `features._PageArrays` (checked for type and length)."""
    cdef Py_ssize_t i, n = arrays.n
    stats = arrays.stats
    b.n = n
    b.chars = <double *>call.array(arrays.chars, FLOAT64, n)
    b.words = <double *>call.array(arrays.words, FLOAT64, n)
    b.tokens = <double *>call.array(token_counts, FLOAT64, n)
    b.links = <double *>call.array(arrays.links, FLOAT64, n)
    b.link_chars = <double *>call.array(arrays.link_chars, FLOAT64, n)
    b.link_density = <double *>call.array(arrays.link_density, FLOAT64, n)
    b.log_chars = <double *>call.array(log_chars, FLOAT64, n)
    b.depth = <double *>call.array(arrays.depth, FLOAT64, n)
    b.heading = <double *>call.array(arrays.heading, FLOAT64, n)
    b.sampled = <double *>call.array(stats.sampled, FLOAT64, n)
    b.ends_with_punctuation = <double *>call.array(stats.ends_with_punctuation, FLOAT64, n)
    b.starts_lower = <double *>call.array(stats.starts_lower, FLOAT64, n)
    b.has_copyright = <double *>call.array(stats.has_copyright, FLOAT64, n)
    b.date_like = <double *>call.array(stats.date_like, FLOAT64, n)
    b.alpha = <int64_t *>call.array(stats.alpha, INT64, n)
    b.upper = <int64_t *>call.array(stats.upper, INT64, n)
    b.digits = <int64_t *>call.array(stats.digits, INT64, n)
    b.non_ascii = <int64_t *>call.array(stats.non_ascii, INT64, n)
    b.sentence_ends = <int64_t *>call.array(stats.sentence_ends, INT64, n)
    b.commas = <int64_t *>call.array(stats.commas, INT64, n)
    b.separators = <int64_t *>call.array(stats.separators, INT64, n)
    b.newlines = <int64_t *>call.array(stats.newlines, INT64, n)
    b.flags = <int64_t *>call.array(arrays.flags, INT64, n)
    b.own = <int64_t *>call.array(arrays.own, INT64, n)
    b.parent = <int64_t *>call.array(arrays.parent_element, INT64, n)
    b.grandparent = <int64_t *>call.array(arrays.grandparent_element, INT64, n)
    b.rows = <int64_t *>call.array(arrays.rows, INT64, n)
    b.tag = <int64_t *>call.array(arrays.tag_index, INT64, n)
    b.path = <int64_t *>call.array(arrays.path_ids, INT64, n)
    ancestor_paths(call, b, arrays.paths_seen)
    b.bit_values[0] = b.flags
    b.bit_values[1] = <int64_t *>call.array(arrays.keywords_all, INT64, n)
    b.bit_values[2] = <int64_t *>call.array(arrays.keywords_near, INT64, n)
    if layout.c.bit_group_count != 3:
        raise ValueError("three groups of bits: flags, keywords_all, keywords_near")
    b.total_chars = b.total_link_chars = 0.0
    for i in range(n):
        b.total_chars += b.chars[i]
        b.total_link_chars += b.link_chars[i]
        if b.tag[i] >= layout.c.tag_count:
            raise ValueError(f"block {i}: an unknown tag group")
    return 0


cdef int ancestor_paths(_Call call, Blocks *b, list paths_seen) except -1:
    """The numbers of the blocks' paths without their last segment, and without their last two
    (`features._ancestor_path_ids`: by first appearance, computed once per distinct path)."""
    cdef Py_ssize_t k, i, count = len(paths_seen)
    cdef int64_t *parent_of = <int64_t *>call.zeros(count, sizeof(int64_t))
    cdef int64_t *grandparent_of = <int64_t *>call.zeros(count, sizeof(int64_t))
    cdef int64_t *parent_path = <int64_t *>call.zeros(b.n, sizeof(int64_t))
    cdef int64_t *grandparent_path = <int64_t *>call.zeros(b.n, sizeof(int64_t))
    cdef dict parents = {}, grandparents = {}
    cdef str parent
    for k in range(count):
        parent = without_last_segment(paths_seen[k])
        parent_of[k] = parents.setdefault(parent, len(parents))
        grandparent_of[k] = grandparents.setdefault(without_last_segment(parent), len(grandparents))
    for i in range(b.n):
        if not 0 <= b.path[i] < count:
            raise ValueError(f"block {i}: path number {b.path[i]} of {count} paths")
        parent_path[i] = parent_of[b.path[i]]
        grandparent_path[i] = grandparent_of[b.path[i]]
    b.parent_path, b.grandparent_path = parent_path, grandparent_path
    return 0


cdef str without_last_segment(str path):
    """`features._without_last_segment`: "a>b>c" -> "a>b"; a path of one segment stays."""
    cdef Py_ssize_t cut = PyUnicode_FindChar(path, 0x3E, 0, len(path), -1)  # ">", from the end
    return path[:cut] if cut >= 0 else path


def texts_and_tags(blocks, dict tag_index, headings):
    """The blocks' texts (a list), the number `tag_index` gives each one's tag (-1 for none;
    int64) and whether it is one of `headings` (float64 1 or 0): what `features._PageArrays.of`
    reads off the blocks, in one pass."""
    cdef Py_ssize_t i, n = len(blocks)
    cdef list texts = [None] * n
    numbers_array, heading_array = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    cdef int64_t[::1] numbers = numbers_array
    cdef double[::1] heading = heading_array
    for i in range(n):
        block = blocks[i]
        texts[i] = block.text
        tag = block.tag
        number = tag_index.get(tag)
        numbers[i] = number if number is not None else -1
        heading[i] = tag in headings
    return texts, numbers_array, heading_array
