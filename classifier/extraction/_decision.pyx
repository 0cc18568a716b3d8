# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The per-page cut's expected F-beta with correlated labels, and the decision, in Cython.

`decision._expected_scores_grouped` is the reference (numpy, a draws x blocks matrix): this
gives its scores to the last bit, a few draws at a time, without the matrix. The same float64
operations in the same order: each draw's running sum in block order, as `np.cumsum` adds;
the scores summed draw after draw, as numpy reduces a matrix's first axis, then divided by the
number of draws, as `np.mean`; compiled without fused multiply-adds (setup.py). `grouped_cut`
also does what `decision.page_threshold` asks of numpy around the scores but the logarithms,
the exponential and their sum. `decide` is `decision.decide` step by step, reading the blocks
through their attributes.
"""

import numpy as np

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int64_t

# The SHA-256 of this file as it was built (setup.py passes it to the compiler; empty when
# built otherwise): `decision` uses no build of another version of it.
cdef extern from *:
    """
    #ifndef PAGESIEVE_BUILT_FROM
    #define PAGESIEVE_BUILT_FROM ""
    #endif
    """
    const char *PAGESIEVE_BUILT_FROM

BUILT_FROM = (<bytes> PAGESIEVE_BUILT_FROM).decode("ascii")


# Draws taken together by `_grouped_scores` (four, as it is written): their running sums do
# not wait on each other.
cdef enum:
    DRAWS_AT_ONCE = 4


def grouped_scores(const double[::1] p, const double[::1] w, const int64_t[::1] groups, double squared, Py_ssize_t draws):
    """The expected F-beta of keeping the first k blocks, for every k, over `draws` draws of
    the labels (`squared`: beta squared). `p`, `w` and `groups` are the blocks' probabilities,
    weights and group numbers (from 0), in the order blocks are kept. In draw d, the uniform
    number of group g is ((d * (1 + g % (draws - 1))) % draws + 0.5) / draws, and a block is
    content when it is below the block's probability."""
    cdef Py_ssize_t n = p.shape[0], j
    if w.shape[0] != n or groups.shape[0] != n:
        raise ValueError("one weight and one group number per probability expected")
    if draws < 2:
        raise ValueError("at least two draws")
    for j in range(n):
        if groups[j] < 0:
            raise ValueError(f"block {j} has a negative group number")
    sums_array = np.zeros(n)
    cdef double[::1] sums = sums_array
    _grouped_scores(&p[0] if n else NULL, &w[0] if n else NULL, &groups[0] if n else NULL, n, squared, draws, &sums[0] if n else NULL)
    return sums_array


cdef int _grouped_scores(
    const double *p, const double *w, const int64_t *groups, Py_ssize_t n, double squared, Py_ssize_t draws, double *sums
) except -1:
    """`grouped_scores` into `sums` (zeros), the arrays checked. Draws go four at a time, block
    by block; each draw's sum still runs in block order and each block's scores are still added
    draw after draw, so every number is the one of a draw at a time."""
    # One allocation: by block, the kept weight and the running sums of four draws, then its
    # residue and step; then the uniform number of each residue.
    cdef double *kept = <double *> PyMem_Malloc((n * (1 + DRAWS_AT_ONCE) + draws) * sizeof(double) + 2 * n * sizeof(int64_t))
    if kept == NULL:
        raise MemoryError()
    cdef double *running = kept + n
    cdef double *uniforms = running + n * DRAWS_AT_ONCE
    cdef int64_t *residue = <int64_t *> (uniforms + draws)
    cdef int64_t *step = residue + n
    cdef double last[DRAWS_AT_ONCE]
    cdef double weight_if[2]  # [0.0, the block's weight]: indexed by the draw, not a branch
    cdef double sum_w = 0.0, score, total0, total1, total2, total3
    cdef Py_ssize_t d, j, k, taken
    cdef int64_t r0, r1, r2, r3
    for j in range(n):
        sum_w += w[j]
        kept[j] = sum_w
        step[j] = 1 + groups[j] % (draws - 1)
        residue[j] = 0
    for d in range(draws):
        uniforms[d] = (<double>d + 0.5) / <double>draws
    weight_if[0] = 0.0
    for d in range(0, draws, DRAWS_AT_ONCE):
        taken = min(DRAWS_AT_ONCE, draws - d)  # the draws past the last one are worked out, not used
        total0 = total1 = total2 = total3 = 0.0
        for j in range(n):
            # residue[j] is (d * step[j]) % draws, kept up to date by one addition per draw
            r0 = residue[j]
            r1 = _next_residue(r0, step[j], draws)
            r2 = _next_residue(r1, step[j], draws)
            r3 = _next_residue(r2, step[j], draws)
            residue[j] = _next_residue(r3, step[j], draws)
            weight_if[1] = w[j]
            total0 += weight_if[uniforms[r0] < p[j]]
            total1 += weight_if[uniforms[r1] < p[j]]
            total2 += weight_if[uniforms[r2] < p[j]]
            total3 += weight_if[uniforms[r3] < p[j]]
            running[j * DRAWS_AT_ONCE], running[j * DRAWS_AT_ONCE + 1] = total0, total1
            running[j * DRAWS_AT_ONCE + 2], running[j * DRAWS_AT_ONCE + 3] = total2, total3
        last[0], last[1], last[2], last[3] = squared * total0, squared * total1, squared * total2, squared * total3
        for j in range(n):
            score = sums[j]
            for k in range(taken):
                score += (1 + squared) * running[j * DRAWS_AT_ONCE + k] / (kept[j] + last[k])
            sums[j] = score
    for j in range(n):
        sums[j] /= <double>draws
    PyMem_Free(kept)
    return 0


cdef inline int64_t _next_residue(int64_t residue, int64_t step, Py_ssize_t draws) noexcept nogil:
    residue += step
    return residue - draws if residue >= draws else residue


def grouped_cut(
    const double[::1] p, const double[::1] tokens, const int64_t[::1] groups, const double[::1] never, double squared,
    Py_ssize_t draws,
):
    """The parts of `decision.page_threshold` with groups that numpy does not hold for it: the
    blocks kept in order of probability (a stable sort, as `np.argsort(-p, kind="stable")`),
    their weights (`tokens`, at least 1), the expected scores of `grouped_scores` and the first
    best of them; and the least of `never` (log P(a block is not content)) in each group, as
    `group_minima`. Gives (the best score, the probability at it, the highest probability, the
    groups' minima), or None when a probability or a token count is NaN (numpy then)."""
    cdef Py_ssize_t n = p.shape[0], j, best = 0
    if tokens.shape[0] != n or groups.shape[0] != n or never.shape[0] != n:
        raise ValueError("one token count, group number and log-probability per probability expected")
    if n == 0:
        raise ValueError("no blocks")
    if draws < 2:
        raise ValueError("at least two draws")
    cdef int64_t n_groups = 0
    for j in range(n):
        if p[j] != p[j] or tokens[j] != tokens[j]:
            return None
        if groups[j] < 0:
            raise ValueError(f"block {j} has a negative group number")
        if groups[j] >= n_groups:
            n_groups = groups[j] + 1
    # One allocation: the order and the merge sort's room, the blocks' group numbers in order;
    # their probabilities, weights and scores in order.
    cdef int64_t *order = <int64_t *> PyMem_Malloc(3 * n * sizeof(int64_t) + 3 * n * sizeof(double))
    if order == NULL:
        raise MemoryError()
    cdef int64_t *sorted_groups = order + 2 * n
    cdef double *in_order = <double *> (sorted_groups + n)
    cdef double *weights = in_order + n
    cdef double *sums = weights + n
    _by_falling_probability(&p[0], n, order, order + n)
    for j in range(n):
        in_order[j] = p[order[j]]
        weights[j] = tokens[order[j]] if tokens[order[j]] > 1.0 else 1.0  # np.maximum(tokens, 1.0)
        sorted_groups[j] = groups[order[j]]
        sums[j] = 0.0
    try:
        _grouped_scores(in_order, weights, sorted_groups, n, squared, draws, sums)
        for j in range(1, n):
            if sums[j] > sums[best]:  # the first of the best, as np.argmax
                best = j
        found = sums[best], in_order[best], in_order[0]
    finally:
        PyMem_Free(order)
    return (*found, _group_minima(&never[0], &groups[0], n, n_groups))


cdef void _by_falling_probability(const double *p, Py_ssize_t n, int64_t *order, int64_t *spare) noexcept:
    """0 .. n-1 into `order` by falling p, equal ones in index order (a merge sort, bottom up;
    `spare`: room for n more). No p is NaN."""
    cdef Py_ssize_t width, start, middle, end, i, j, k
    cdef int64_t *source = order
    cdef int64_t *target = spare
    for i in range(n):
        order[i] = i
    width = 1
    while width < n:
        start = 0
        while start < n:
            middle, end = min(start + width, n), min(start + 2 * width, n)
            i, j, k = start, middle, start
            while i < middle and j < end:
                if p[source[j]] > p[source[i]]:  # only a strictly higher one goes first: stable
                    target[k] = source[j]
                    j += 1
                else:
                    target[k] = source[i]
                    i += 1
                k += 1
            while i < middle:
                target[k] = source[i]
                i += 1
                k += 1
            while j < end:
                target[k] = source[j]
                j += 1
                k += 1
            start = end
        source, target = target, source
        width *= 2
    if source != order:
        for i in range(n):
            order[i] = source[i]


def group_minima(const double[::1] values, const int64_t[::1] groups, Py_ssize_t n_groups):
    """The least of `values` in each group (numbered from 0) and 0, as `np.minimum.at` into
    zeros (but for the sign of a zero, which the sum that follows does not see)."""
    cdef Py_ssize_t n = values.shape[0], j
    if groups.shape[0] != n:
        raise ValueError("one group number per value expected")
    for j in range(n):
        if not 0 <= groups[j] < n_groups:
            raise ValueError(f"value {j} has a group number out of range")
    return _group_minima(&values[0] if n else NULL, &groups[0] if n else NULL, n, n_groups)


cdef object _group_minima(const double *values, const int64_t *groups, Py_ssize_t n, Py_ssize_t n_groups):
    """`group_minima` of arrays checked (every group number in range)."""
    minima_array = np.zeros(n_groups)
    cdef double[::1] minima = minima_array
    cdef Py_ssize_t j
    for j in range(n):
        if values[j] < minima[groups[j]]:
            minima[groups[j]] = values[j]
    return minima_array


def decide(blocks, const double[::1] probabilities, double threshold, line_numbers, Py_ssize_t min_duplicate_chars, long in_pre):
    """`decision.decide(blocks, probabilities, threshold)`, given its constants: the pattern's
    `line_numbers` (its fullmatch), `min_duplicate_chars` and the flag bit `in_pre`."""
    cdef Py_ssize_t i, n = probabilities.shape[0]
    if n != len(blocks):
        raise ValueError(f"{len(blocks)} blocks but {n} probabilities")
    keep_array = np.empty(n, dtype=np.bool_)
    cdef unsigned char[::1] keep = keep_array.view(np.uint8)
    cdef dict first_path = {}
    cdef str text, path_key
    cdef bint kept
    for i in range(n):
        kept = probabilities[i] >= threshold
        if kept:
            block = blocks[i]
            text = block.text
            if block.row >= 0 and block.flags & in_pre and line_numbers(text) is not None:
                kept = False
            elif len(text) >= min_duplicate_chars:
                path_key = block.path_key
                kept = first_path.setdefault(text, path_key) == path_key
        keep[i] = kept
    return keep_array
