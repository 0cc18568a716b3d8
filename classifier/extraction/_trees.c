/* The compiled kernel of classifier.extraction.trees: the raw scores of a tree ensemble.
 *
 * pack(feature, threshold32, missing_left, left, right, value, roots, baseline) -> ensemble
 *   The node arrays as TreeEnsemble holds them, except the thresholds: threshold32 is, for each
 *   node, the largest float32 at most its float64 threshold (`trees.float32_floor`). Checks
 *   them (children after their parents and in range, trees starting in range) and returns an
 *   opaque packed copy (a capsule): one 16-byte struct per node, so a step reads one struct,
 *   and the node's value. A leaf's threshold is NaN and its children are the next tree's root.
 * raw_scores(ensemble, X, out)
 *   X: float32 rows (C order, n_rows x n_columns, at least the columns the splits read); out:
 *   float64, n_rows. For each row: baseline, plus the leaf value of each tree in tree order
 *   (scikit-learn's order of addition). A missing value (NaN) goes where missing_left says;
 *   otherwise left when the value is at most the threshold: for a float32 x that is not NaN,
 *   (double)x <= t exactly when x <= the largest float32 at most t, so the comparison is in
 *   float32 and the result is the same to the last bit. Runs without the GIL.
 * probabilities(ensemble, X, out)
 *   raw_scores, then each turned into 1 / (1 + exp(-score)) with the C library's exp, as
 *   `trees._expit` does it (the same exp, one division and one addition: the same bits).
 *
 * Rows go through the trees in tiles of TILE rows, copied column by column into a small buffer
 * (and scanned for NaN). Each row of a tile walks all the trees, one after the other, one step
 * at a time, the rows of the tile in turn: a branch-free step, which adds the node's value to the
 * row's sum (-0.0 at an inner node, which leaves every sum as it is) and goes to a child; a
 * leaf's children are the next tree's root, so a row that reaches a leaf goes on with the next
 * tree without waiting for the others. The rows' walks do not depend on each other, so the
 * processor overlaps them instead of waiting on one walk's loads or guessing its way (a branch
 * per step mispredicts often). After the last tree a row rests on a node of its own (`end`)
 * until every row of the tile is there.
 *
 * The packed copy lays each tree's nodes out again, tree after tree, in the order of a walk
 * from its root (`packed`), so trees that share nodes, or are stored in any order, are walked
 * as the arrays say.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef PAGESIEVE_BUILT_FROM
#define PAGESIEVE_BUILT_FROM ""
#endif

#define CAPSULE_NAME "classifier.extraction._trees.Ensemble"
#define TILE 12       /* rows that walk the trees together (8 to 16 measured about the same) */
#define CHECK_EVERY 16 /* steps taken between two looks at whether every row is done */
#define MAX_COPIES 4   /* the packed nodes, at most, for each node of the arrays (and 4,096) */

/* A node, as the walk reads it. Offsets are in bytes, so a step adds them to a base pointer. */
typedef struct {
    float threshold;     /* go left when the value is at most it; NaN at a leaf (never left) */
    uint32_t column;     /* the split's column, as its offset in a tile (column * TILE floats); 0 at a leaf */
    uint32_t child[2];   /* the offsets of the left and right child; a leaf's: the next tree's root */
} Node;

typedef struct {
    Py_ssize_t n_nodes, n_trees, n_columns; /* n_nodes: the packed nodes, `end` not counted; n_columns: the columns the splits read */
    double baseline;
    Node *nodes;            /* tree after tree, each in the order of a walk from its root; then `end` */
    double *value;          /* by packed node: a leaf's value; -0.0 at an inner node and at `end` */
    uint8_t *missing_left;  /* by packed node: 1 when a missing value goes left */
} Ensemble;

/* `value` holds 8 bytes for each 16-byte node: a node's offset / 2 is its value's offset. */
typedef char node_is_twice_a_value[sizeof(Node) == 2 * sizeof(double) ? 1 : -1];

static int get(PyObject *object, Py_buffer *view, int flags, Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(object, view, flags | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s has items of %zd bytes, expected %zd", name, view->itemsize, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void free_ensemble(PyObject *capsule) {
    PyMem_Free(PyCapsule_GetPointer(capsule, CAPSULE_NAME));
}

/* The arrays (views: feature, threshold32, missing_left, left, right, value, roots) as read. */
typedef struct {
    Py_ssize_t n_nodes, n_trees;
    const int32_t *feature, *left, *right, *roots;
    const float *threshold;
    const uint8_t *missing_left;
    const double *value;
} Arrays;

/* Check the arrays (children after their parents and in range, trees starting in range); the
 * columns the splits read, or -1 with an exception set. */
static Py_ssize_t checked_columns(const Arrays *a) {
    for (Py_ssize_t t = 0; t < a->n_trees; t++) {
        if (a->roots[t] < 0 || a->roots[t] >= a->n_nodes) {
            PyErr_SetString(PyExc_ValueError, "a tree starts out of range");
            return -1;
        }
    }
    Py_ssize_t n_columns = 0;
    for (Py_ssize_t i = 0; i < a->n_nodes; i++) {
        if (a->left[i] < 0) continue;
        if (a->left[i] <= i || a->right[i] <= i || a->left[i] >= a->n_nodes || a->right[i] >= a->n_nodes ||
            a->feature[i] < 0) {
            PyErr_SetString(PyExc_ValueError, "invalid tree nodes");
            return -1;
        }
        if (a->feature[i] >= n_columns) n_columns = (Py_ssize_t)a->feature[i] + 1;
    }
    return n_columns;
}

/* For each node, the nodes a walk from it can reach, counted once per path (at most `limit`);
 * NULL when out of memory. */
static uint64_t *subtree_sizes(const Arrays *a, uint64_t limit) {
    uint64_t *size = PyMem_Malloc((size_t)(a->n_nodes > 0 ? a->n_nodes : 1) * sizeof(uint64_t));
    if (size == NULL) return NULL;
    for (Py_ssize_t i = a->n_nodes - 1; i >= 0; i--) { /* children come after their parents */
        uint64_t below = 1;
        if (a->left[i] >= 0) below += size[a->left[i]] + size[a->right[i]];
        size[i] = below < limit ? below : limit;
    }
    return size;
}

/* Copy tree t from packed node `first` on, in the order of a walk (a node, its left subtree,
 * its right subtree); its leaves lead to packed node `next` (the next tree's root, or `end`).
 * `stack`: room for a pending node per level, and one, as (old node, where its offset goes). */
static void copy_tree(const Arrays *a, Py_ssize_t t, uint32_t first, uint32_t next, Ensemble *e, uint32_t *stack) {
    Py_ssize_t depth = 1;
    uint32_t free_node = first;
    stack[0] = (uint32_t)a->roots[t];
    stack[1] = 0; /* where its offset goes: 0 nowhere, else 1 + 2 * parent + side */
    while (depth > 0) {
        depth--;
        uint32_t old = stack[2 * depth], slot = stack[2 * depth + 1], at = free_node++;
        if (slot) e->nodes[(slot - 1) / 2].child[(slot - 1) % 2] = at * (uint32_t)sizeof(Node);
        e->missing_left[at] = a->missing_left[old] != 0;
        if (a->left[old] < 0) {
            uint32_t onward = next * (uint32_t)sizeof(Node);
            e->nodes[at] = (Node){NAN, 0, {onward, onward}};
            e->value[at] = a->value[old];
            continue;
        }
        e->nodes[at] = (Node){a->threshold[old], (uint32_t)a->feature[old] * TILE * sizeof(float), {0, 0}};
        e->value[at] = -0.0;
        stack[2 * depth] = (uint32_t)a->right[old]; /* taken after the whole left subtree */
        stack[2 * depth + 1] = 1 + 2 * at + 1;
        stack[2 * depth + 2] = (uint32_t)a->left[old];
        stack[2 * depth + 3] = 1 + 2 * at;
        depth += 2;
    }
}

/* The packed ensemble of the arrays, in one allocation; NULL with an exception set when they
 * are not one, or are too large for the kernel (OverflowError). */
static Ensemble *packed(const Arrays *a, double baseline) {
    Py_ssize_t n_columns = checked_columns(a);
    if (n_columns < 0) return NULL;
    uint64_t limit = UINT32_MAX / (2 * sizeof(Node)); /* node offsets, and 2 * node + 2 on the stack */
    uint64_t *size = subtree_sizes(a, limit), n_packed = 0;
    if (size == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t t = 0; t < a->n_trees && n_packed < limit; t++) n_packed += size[a->roots[t]];
    /* Trees that share nodes are copied once per path: a copy much larger than the arrays
     * (which training never makes) is refused, and numpy walks the trees. */
    if (n_packed > MAX_COPIES * (uint64_t)a->n_nodes + 4096) n_packed = limit;
    if (n_packed >= limit || (uint64_t)a->n_nodes >= limit || (uint64_t)n_columns * TILE * sizeof(float) > UINT32_MAX) {
        PyMem_Free(size);
        PyErr_SetString(PyExc_OverflowError, "too many nodes or columns for the kernel");
        return NULL;
    }
    size_t slots = (size_t)n_packed + 1; /* and `end` */
    Ensemble *e = PyMem_Malloc(sizeof(Ensemble) + slots * (sizeof(Node) + sizeof(double) + 1));
    uint32_t *stack = PyMem_Malloc(((size_t)a->n_nodes + 1) * 2 * sizeof(uint32_t));
    if (e == NULL || stack == NULL) {
        PyMem_Free(size);
        PyMem_Free(e);
        PyMem_Free(stack);
        PyErr_NoMemory();
        return NULL;
    }
    e->n_nodes = (Py_ssize_t)n_packed;
    e->n_trees = a->n_trees;
    e->n_columns = n_columns;
    e->baseline = baseline;
    e->nodes = (Node *)(e + 1); /* the members in decreasing alignment */
    e->value = (double *)(e->nodes + slots);
    e->missing_left = (uint8_t *)(e->value + slots);
    uint32_t first = 0;
    for (Py_ssize_t t = 0; t < a->n_trees; t++) {
        uint32_t next = first + (uint32_t)size[a->roots[t]]; /* the next tree starts where this one ends */
        copy_tree(a, t, first, next, e, stack);
        first = next;
    }
    uint32_t end = (uint32_t)n_packed * (uint32_t)sizeof(Node); /* a row rests here after the last tree */
    e->nodes[n_packed] = (Node){NAN, 0, {end, end}};
    e->value[n_packed] = -0.0;
    e->missing_left[n_packed] = 0;
    PyMem_Free(size);
    PyMem_Free(stack);
    return e;
}

static PyObject *pack(PyObject *self, PyObject *args) {
    PyObject *objects[7];
    double baseline;
    if (!PyArg_ParseTuple(args, "OOOOOOOd", &objects[0], &objects[1], &objects[2], &objects[3], &objects[4],
                          &objects[5], &objects[6], &baseline))
        return NULL;
    static const char *names[7] = {"feature", "threshold32", "missing_left", "left", "right", "value", "roots"};
    static const Py_ssize_t sizes[7] = {4, 4, 1, 4, 4, 8, 4};
    Py_buffer views[7];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 7; got++) {
        if (get(objects[got], &views[got], PyBUF_SIMPLE, sizes[got], names[got]) < 0) goto done;
    }
    Py_ssize_t n_nodes = views[0].len / 4;
    if (views[1].len / 4 != n_nodes || views[2].len != n_nodes || views[3].len / 4 != n_nodes ||
        views[4].len / 4 != n_nodes || views[5].len / 8 != n_nodes) {
        PyErr_SetString(PyExc_ValueError, "node arrays of different lengths");
        goto done;
    }
    Arrays arrays = {n_nodes, views[6].len / 4, views[0].buf, views[3].buf, views[4].buf, views[6].buf,
                     views[1].buf, views[2].buf, views[5].buf};
    Ensemble *ensemble = packed(&arrays, baseline);
    if (ensemble == NULL) goto done;
    result = PyCapsule_New(ensemble, CAPSULE_NAME, free_ensemble);
    if (result == NULL) PyMem_Free(ensemble);
done:
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    return result;
}

/* The rows [first, first + count) of X (count <= TILE), transposed into tile: column c of row
 * k at tile[c * TILE + k] (a short tile repeats its last row). Whether a value is missing. */
static int load_tile(const float *X, Py_ssize_t n_columns, Py_ssize_t used_columns, Py_ssize_t first,
                     Py_ssize_t count, float *tile) {
    int missing = 0;
    for (Py_ssize_t k = 0; k < TILE; k++) {
        const float *row = X + (first + (k < count ? k : count - 1)) * n_columns;
        for (Py_ssize_t c = 0; c < used_columns; c++) {
            tile[c * TILE + k] = row[c];
            missing |= row[c] != row[c];
        }
    }
    return missing;
}

/* One step of row k of the tile from the node at offset `at`: the node's value added to the
 * row's sum, and the offset of the node its value leads to. */
static inline uint32_t step(const char *nodes, const char *values, uint32_t at, const char *tile, int k, double *sum) {
    const Node *node = (const Node *)(nodes + at);
    float x = *(const float *)(tile + node->column + k * sizeof(float));
    *sum += *(const double *)(values + at / 2);
    return node->child[!(x <= node->threshold)]; /* an index, not a branch: the way is unpredictable */
}

/* `step` when the value may be missing. */
static inline uint32_t step_missing(const Ensemble *e, uint32_t at, const char *tile, int k, double *sum) {
    const Node *node = (const Node *)((const char *)e->nodes + at);
    float x = *(const float *)(tile + node->column + k * sizeof(float));
    *sum += e->value[at / sizeof(Node)];
    int go_left = (x <= node->threshold) | (e->missing_left[at / sizeof(Node)] & (x != x));
    return node->child[!go_left];
}

/* Whether every row of the tile rests at `end`. */
static inline int all_done(const uint32_t *at, uint32_t end) {
    uint32_t away = 0;
    for (int k = 0; k < TILE; k++) away |= at[k] ^ end;
    return !away;
}

/* The raw scores of the TILE rows of `tile` into sum: every row walks every tree until all of
 * them rest at `end`; `missing` (a constant where it is inlined): a value may be missing. */
static inline void walk_rows(const Ensemble *e, const char *tile, double *sum, int missing) {
    double acc[TILE]; /* not sum: stores through it could change what the walk reads */
    const char *nodes = (const char *)e->nodes, *values = (const char *)e->value;
    uint32_t at[TILE], end = (uint32_t)(e->n_nodes * sizeof(Node));
    for (int k = 0; k < TILE; k++) {
        at[k] = e->n_trees > 0 ? 0 : end;
        acc[k] = sum[k];
    }
    do {
        for (int s = 0; s < CHECK_EVERY; s++)
            for (int k = 0; k < TILE; k++)
                at[k] = missing ? step_missing(e, at[k], tile, k, &acc[k]) : step(nodes, values, at[k], tile, k, &acc[k]);
    } while (!all_done(at, end));
    for (int k = 0; k < TILE; k++) sum[k] = acc[k];
}

/* `walk_rows` made twice, each with its own loop: one with no missing values, one with. */
static void walk_tile(const Ensemble *e, const char *tile, double *sum) { walk_rows(e, tile, sum, 0); }

static void walk_tile_missing(const Ensemble *e, const char *tile, double *sum) { walk_rows(e, tile, sum, 1); }

/* The raw scores of the rows of X into out; tile: TILE floats per used column (at least TILE). */
static void score_rows(const Ensemble *ensemble, const float *X, Py_ssize_t n_rows, Py_ssize_t n_columns,
                       float *tile, double *out) {
    for (Py_ssize_t first = 0; first < n_rows; first += TILE) {
        Py_ssize_t count = n_rows - first < TILE ? n_rows - first : TILE;
        int missing = load_tile(X, n_columns, ensemble->n_columns, first, count, tile);
        double sum[TILE];
        for (int k = 0; k < TILE; k++) sum[k] = ensemble->baseline;
        (missing ? walk_tile_missing : walk_tile)(ensemble, (const char *)tile, sum);
        for (Py_ssize_t k = 0; k < count; k++) out[first + k] = sum[k];
    }
}

/* The logistic function of each raw score, in place (exp overflows to inf, giving 0). */
static void logistic(double *out, Py_ssize_t n_rows) {
    for (Py_ssize_t k = 0; k < n_rows; k++) out[k] = 1.0 / (1.0 + exp(-out[k]));
}

/* raw_scores and probabilities: the rows' raw scores into out, then their probabilities when
 * `probabilities` is set. */
static PyObject *score(PyObject *args, int probabilities) {
    PyObject *capsule, *objects[2];
    if (!PyArg_ParseTuple(args, "OOO", &capsule, &objects[0], &objects[1])) return NULL;
    const Ensemble *ensemble = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (ensemble == NULL) return NULL;
    Py_buffer views[2];
    if (get(objects[0], &views[0], PyBUF_SIMPLE, 4, "X") < 0) return NULL;
    if (get(objects[1], &views[1], PyBUF_WRITABLE, 8, "out") < 0) {
        PyBuffer_Release(&views[0]);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n_rows = views[1].len / 8;
    if (views[0].ndim != 2 || views[0].shape[0] != n_rows) {
        PyErr_SetString(PyExc_ValueError, "X must have one row per output value");
        goto done;
    }
    Py_ssize_t n_columns = views[0].shape[1];
    if (n_columns < ensemble->n_columns) {
        PyErr_SetString(PyExc_ValueError, "X has fewer columns than the splits read");
        goto done;
    }
    const float *X = views[0].buf;
    double *out = views[1].buf;
    int no_memory;
    Py_BEGIN_ALLOW_THREADS
    float *tile = malloc((size_t)(ensemble->n_columns > 0 ? ensemble->n_columns : 1) * TILE * sizeof(float));
    no_memory = tile == NULL;
    if (tile != NULL) score_rows(ensemble, X, n_rows, n_columns, tile, out);
    if (tile != NULL && probabilities) logistic(out, n_rows);
    free(tile);
    Py_END_ALLOW_THREADS
    if (no_memory) {
        PyErr_NoMemory();
        goto done;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&views[0]);
    PyBuffer_Release(&views[1]);
    return result;
}

static PyObject *raw_scores(PyObject *self, PyObject *args) { return score(args, 0); }

static PyObject *probabilities(PyObject *self, PyObject *args) { return score(args, 1); }

static PyMethodDef methods[] = {
    {"pack", pack, METH_VARARGS, "A checked, packed copy of a tree ensemble (see the source)."},
    {"raw_scores", raw_scores, METH_VARARGS, "Raw scores of a packed tree ensemble (see the source)."},
    {"probabilities", probabilities, METH_VARARGS, "Probabilities of a packed tree ensemble (see the source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_trees", "Tree ensemble kernel.", -1, methods};

PyMODINIT_FUNC PyInit__trees(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddStringConstant(m, "BUILT_FROM", PAGESIEVE_BUILT_FROM) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
