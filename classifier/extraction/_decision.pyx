# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The per-page cut's expected F-beta with correlated labels, and the decision, in Cython.

`decision._expected_scores_grouped` is the reference (numpy, a draws x blocks matrix): this
gives its scores to the last bit, one draw at a time, without the matrix. The same float64
operations in the same order: each draw's running sum in block order, as `np.cumsum` adds;
the scores summed draw after draw, as numpy reduces a matrix's first axis, then divided by the
number of draws, as `np.mean`; compiled without fused multiply-adds (setup.py). `decide` is
`decision.decide` step by step, reading the blocks through their attributes.
"""

import numpy as np

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


def grouped_scores(const double[::1] p, const double[::1] w, const int64_t[::1] groups, double squared, Py_ssize_t draws):
    """The expected F-beta of keeping the first k blocks, for every k, over `draws` draws of
    the labels (`squared`: beta squared). `p`, `w` and `groups` are the blocks' probabilities,
    weights and group numbers (from 0), in the order blocks are kept. In draw d, the uniform
    number of group g is ((d * (1 + g % (draws - 1))) % draws + 0.5) / draws, and a block is
    content when it is below the block's probability."""
    cdef Py_ssize_t n = p.shape[0], d, j
    if w.shape[0] != n or groups.shape[0] != n:
        raise ValueError("one weight and one group number per probability expected")
    if draws < 2:
        raise ValueError("at least two draws")
    for j in range(n):
        if groups[j] < 0:
            raise ValueError(f"block {j} has a negative group number")
    kept_array, running_array, sums_array = np.empty(n), np.empty(n), np.zeros(n)
    residue_array, step_array, uniform_array = np.zeros(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(draws)
    cdef double[::1] kept = kept_array, running = running_array, sums = sums_array, uniforms = uniform_array
    cdef int64_t[::1] residue = residue_array, step = step_array
    cdef double total = 0.0, last
    for j in range(n):
        total += w[j]
        kept[j] = total
        step[j] = 1 + groups[j] % (draws - 1)
    for d in range(draws):
        uniforms[d] = (<double>d + 0.5) / <double>draws
    for d in range(draws):
        # residue[j] is (d * step[j]) % draws, kept up to date by one addition per draw
        total = 0.0
        for j in range(n):
            total += w[j] if uniforms[residue[j]] < p[j] else 0.0
            running[j] = total
            residue[j] += step[j]
            if residue[j] >= draws:
                residue[j] -= draws
        last = squared * total
        for j in range(n):
            sums[j] += (1 + squared) * running[j] / (kept[j] + last)
    for j in range(n):
        sums[j] /= <double>draws
    return sums_array


def group_minima(const double[::1] values, const int64_t[::1] groups, Py_ssize_t n_groups):
    """The least of `values` in each group (numbered from 0) and 0, as `np.minimum.at` into
    zeros (but for the sign of a zero, which the sum that follows does not see)."""
    cdef Py_ssize_t n = values.shape[0], j
    if groups.shape[0] != n:
        raise ValueError("one group number per value expected")
    for j in range(n):
        if not 0 <= groups[j] < n_groups:
            raise ValueError(f"value {j} has a group number out of range")
    minima_array = np.zeros(n_groups)
    cdef double[::1] minima = minima_array
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
