/* The compiled kernel of classifier.extraction.trees: the raw scores of a tree ensemble.
 *
 * pack(feature, threshold32, missing_left, left, right, value, roots, baseline) -> ensemble
 *   The node arrays as TreeEnsemble holds them, except the thresholds: threshold32 is, for each
 *   node, the largest float32 at most its float64 threshold (`trees.float32_floor`). Checks
 *   them (children after their parents and in range, trees starting in range) and returns an
 *   opaque packed copy (a capsule): one 16-byte struct per node, so a step reads one struct.
 *   A leaf's children are itself and its threshold NaN, so a walk that reaches it stays there.
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
 * (and scanned for NaN). For each tile, tree after tree, the tile's rows take one step each in
 * turn, a branch-free step, until none of them moves or the tree's longest walk is done. The
 * rows' walks do not depend on each other, so the processor overlaps them instead of waiting on
 * one walk's loads or guessing its way (a branch per step mispredicts often); the price is
 * steps at a leaf for the rows that got there first.
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
#define TILE 12           /* rows that walk a tree together (8 to 16 measured about the same) */
#define UNCHECKED_STEPS 4 /* steps taken before the walks start checking whether all are at a leaf */

/* A node, as the walk reads it. Offsets are in bytes, so a step adds them to a base pointer. */
typedef struct {
    float threshold;     /* go left when the value is at most it; NaN at a leaf (never left) */
    uint32_t column;     /* the split's column, as its offset in a tile (column * TILE floats); 0 at a leaf */
    uint32_t child[2];   /* the offsets of the left and right child in the nodes; a leaf's are its own */
} Node;

typedef struct {
    Py_ssize_t n_nodes, n_trees, n_columns; /* n_columns: the columns the splits read */
    double baseline;
    Node *nodes;
    double *value;          /* by node: a leaf's value */
    uint8_t *missing_left;  /* by node: 1 when a missing value goes left */
    uint32_t *roots;        /* each tree's first node, as an offset */
    int32_t *height;        /* each tree's longest walk, in steps */
} Ensemble;

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

/* The packed ensemble of the checked arrays (views: feature, threshold32, missing_left, left,
 * right, value, roots), in one allocation; NULL with an exception set when they are not one. */
static Ensemble *packed(Py_buffer *views, double baseline) {
    Py_ssize_t n_nodes = views[0].len / 4, n_trees = views[6].len / 4;
    if (views[1].len / 4 != n_nodes || views[2].len != n_nodes || views[3].len / 4 != n_nodes ||
        views[4].len / 4 != n_nodes || views[5].len / 8 != n_nodes) {
        PyErr_SetString(PyExc_ValueError, "node arrays of different lengths");
        return NULL;
    }
    const int32_t *feature = views[0].buf, *left = views[3].buf, *right = views[4].buf, *roots = views[6].buf;
    const float *threshold = views[1].buf;
    const uint8_t *missing_left = views[2].buf;
    const double *value = views[5].buf;
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        if (roots[t] < 0 || roots[t] >= n_nodes) {
            PyErr_SetString(PyExc_ValueError, "a tree starts out of range");
            return NULL;
        }
    }
    Py_ssize_t n_columns = 0;
    for (Py_ssize_t i = 0; i < n_nodes; i++) {
        if (left[i] < 0) continue;
        if (left[i] <= i || right[i] <= i || left[i] >= n_nodes || right[i] >= n_nodes || feature[i] < 0) {
            PyErr_SetString(PyExc_ValueError, "invalid tree nodes");
            return NULL;
        }
        if (feature[i] >= n_columns) n_columns = (Py_ssize_t)feature[i] + 1;
    }
    if ((uint64_t)n_nodes * sizeof(Node) > UINT32_MAX || (uint64_t)n_columns * TILE * sizeof(float) > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "too many nodes or columns for the kernel's offsets");
        return NULL;
    }
    size_t size = sizeof(Ensemble) + (size_t)n_nodes * (sizeof(Node) + sizeof(double) + sizeof(int32_t) + 1) +
                  (size_t)n_trees * (sizeof(uint32_t) + sizeof(int32_t));
    Ensemble *ensemble = PyMem_Malloc(size);
    if (ensemble == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    ensemble->n_nodes = n_nodes;
    ensemble->n_trees = n_trees;
    ensemble->n_columns = n_columns;
    ensemble->baseline = baseline;
    ensemble->nodes = (Node *)(ensemble + 1); /* the members in decreasing alignment */
    ensemble->value = (double *)(ensemble->nodes + n_nodes);
    int32_t *height = (int32_t *)(ensemble->value + n_nodes); /* by node, then by tree */
    ensemble->roots = (uint32_t *)(height + n_nodes);
    ensemble->height = (int32_t *)(ensemble->roots + n_trees);
    ensemble->missing_left = (uint8_t *)(ensemble->height + n_trees);
    for (Py_ssize_t i = n_nodes - 1; i >= 0; i--) { /* children come after their parents */
        Node *node = &ensemble->nodes[i];
        uint32_t at = (uint32_t)(i * sizeof(Node));
        if (left[i] < 0) {
            *node = (Node){NAN, 0, {at, at}};
            height[i] = 0;
        } else {
            *node = (Node){threshold[i], (uint32_t)feature[i] * TILE * sizeof(float),
                           {(uint32_t)left[i] * sizeof(Node), (uint32_t)right[i] * sizeof(Node)}};
            height[i] = 1 + (height[left[i]] > height[right[i]] ? height[left[i]] : height[right[i]]);
        }
        ensemble->missing_left[i] = missing_left[i] != 0;
    }
    for (Py_ssize_t t = 0; t < n_trees; t++) {
        ensemble->roots[t] = (uint32_t)roots[t] * sizeof(Node);
        ensemble->height[t] = height[roots[t]];
    }
    memcpy(ensemble->value, value, (size_t)n_nodes * sizeof(double));
    return ensemble;
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
    Ensemble *ensemble = packed(views, baseline);
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

/* The node the value of row k (of the tile) leads to from `at` (`at` itself at a leaf). */
static inline uint32_t step(const char *nodes, uint32_t at, const char *tile, int k) {
    const Node *node = (const Node *)(nodes + at);
    float x = *(const float *)(tile + node->column + k * sizeof(float));
    return node->child[!(x <= node->threshold)]; /* an index, not a branch: the way is unpredictable */
}

/* `step` when the value may be missing. */
static inline uint32_t step_missing(const Ensemble *ensemble, uint32_t at, const char *tile, int k) {
    const Node *node = (const Node *)((const char *)ensemble->nodes + at);
    float x = *(const float *)(tile + node->column + k * sizeof(float));
    int go_left = (x <= node->threshold) | (ensemble->missing_left[at / sizeof(Node)] & (x != x));
    return node->child[!go_left];
}

/* The leaves the TILE rows of `tile` reach in tree t, into at. A walk at a leaf stays there, so
 * the rows take steps together: a few, then more until none of them moves or the tree's longest
 * walk is done (rows with a missing value: its longest walk). */
static void walk_tile(const Ensemble *ensemble, Py_ssize_t t, const char *tile, int missing, uint32_t *at) {
    const char *nodes = (const char *)ensemble->nodes;
    int32_t height = ensemble->height[t], depth = 0;
    for (int k = 0; k < TILE; k++) at[k] = ensemble->roots[t];
    if (missing) {
        for (; depth < height; depth++)
            for (int k = 0; k < TILE; k++) at[k] = step_missing(ensemble, at[k], tile, k);
        return;
    }
    for (; depth < height && depth < UNCHECKED_STEPS; depth++)
        for (int k = 0; k < TILE; k++) at[k] = step(nodes, at[k], tile, k);
    for (; depth < height; depth++) {
        uint32_t moved = 0;
        for (int k = 0; k < TILE; k++) {
            uint32_t next = step(nodes, at[k], tile, k);
            moved |= next ^ at[k];
            at[k] = next;
        }
        if (!moved) break;
    }
}

/* The raw scores of the rows of X into out; tile: TILE floats per used column (at least TILE). */
static void score_rows(const Ensemble *ensemble, const float *X, Py_ssize_t n_rows, Py_ssize_t n_columns,
                       float *tile, double *out) {
    for (Py_ssize_t first = 0; first < n_rows; first += TILE) {
        Py_ssize_t count = n_rows - first < TILE ? n_rows - first : TILE;
        int missing = load_tile(X, n_columns, ensemble->n_columns, first, count, tile);
        double sum[TILE];
        uint32_t at[TILE];
        for (int k = 0; k < TILE; k++) sum[k] = ensemble->baseline;
        for (Py_ssize_t t = 0; t < ensemble->n_trees; t++) { /* tree after tree: scikit-learn's order */
            walk_tile(ensemble, t, (const char *)tile, missing, at);
            for (int k = 0; k < TILE; k++) sum[k] += ensemble->value[at[k] / sizeof(Node)];
        }
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
