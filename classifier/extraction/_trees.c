/* The compiled kernel of classifier.extraction.trees: the raw scores of a tree ensemble.
 *
 * raw_scores(X, feature, threshold, missing_left, left, right, value, roots, baseline, out)
 * X: float32 rows (C order, n_rows x n_features); the node arrays as TreeEnsemble holds them
 * (already checked there: children after parents, features in range); out: float64, n_rows.
 * For each row: baseline, plus the leaf value of each tree in tree order (scikit-learn's order
 * of addition). A missing value (NaN) goes where missing_left says; otherwise left when the
 * value (as a double) is at most the threshold. Runs without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

static int get(PyObject *object, Py_buffer *view, int flags, Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(object, view, flags | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s has items of %zd bytes, expected %zd", name, view->itemsize, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *raw_scores(PyObject *self, PyObject *args) {
    PyObject *objects[9];
    double baseline;
    if (!PyArg_ParseTuple(args, "OOOOOOOOdO", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6], &objects[7], &baseline, &objects[8]))
        return NULL;
    static const char *names[9] = {"X", "feature", "threshold", "missing_left", "left", "right",
                                   "value", "roots", "out"};
    static const Py_ssize_t sizes[9] = {4, 4, 8, 1, 4, 4, 8, 4, 8};
    Py_buffer views[9];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 9; got++) {
        int flags = got == 8 ? PyBUF_WRITABLE : PyBUF_SIMPLE;
        if (get(objects[got], &views[got], flags, sizes[got], names[got]) < 0) goto done;
    }
    {
        Py_ssize_t n_nodes = views[1].len / 4, n_trees = views[7].len / 4, n_rows = views[8].len / 8;
        if (views[2].len / 8 != n_nodes || views[3].len != n_nodes || views[4].len / 4 != n_nodes ||
            views[5].len / 4 != n_nodes || views[6].len / 8 != n_nodes) {
            PyErr_SetString(PyExc_ValueError, "node arrays of different lengths");
            goto done;
        }
        if (views[0].ndim != 2 || views[0].shape[0] != n_rows) {
            PyErr_SetString(PyExc_ValueError, "X must have one row per output value");
            goto done;
        }
        Py_ssize_t n_features = views[0].shape[1];
        const float *X = views[0].buf;
        const int32_t *feature = views[1].buf, *left = views[4].buf, *right = views[5].buf, *roots = views[7].buf;
        const double *threshold = views[2].buf, *value = views[6].buf;
        const uint8_t *missing_left = views[3].buf;
        double *out = views[8].buf;
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            if (roots[t] < 0 || roots[t] >= n_nodes) {
                PyErr_SetString(PyExc_ValueError, "a tree starts out of range");
                goto done;
            }
        }
        for (Py_ssize_t i = 0; i < n_nodes; i++) {
            if (left[i] >= 0 && (left[i] <= i || right[i] <= i || left[i] >= n_nodes || right[i] >= n_nodes ||
                                 feature[i] < 0 || feature[i] >= n_features)) {
                PyErr_SetString(PyExc_ValueError, "invalid tree nodes");
                goto done;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        /* Tree after tree over all the rows (one tree's nodes stay in the cache while the rows
         * go through it); each row's sum is still baseline + tree 0 + tree 1 + ... in order. */
        for (Py_ssize_t r = 0; r < n_rows; r++) out[r] = baseline;
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            for (Py_ssize_t r = 0; r < n_rows; r++) {
                const float *row = X + r * n_features;
                int32_t node = roots[t];
                while (left[node] >= 0) {
                    double x = (double)row[feature[node]];
                    int go_left = isnan(x) ? missing_left[node] : x <= threshold[node];
                    node = go_left ? left[node] : right[node];
                }
                out[r] += value[node];
            }
        }
        Py_END_ALLOW_THREADS
    }
    result = Py_None;
    Py_INCREF(result);
done:
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"raw_scores", raw_scores, METH_VARARGS, "Raw scores of a tree ensemble (see the source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_trees", "Tree ensemble kernel.", -1, methods};

PyMODINIT_FUNC PyInit__trees(void) { return PyModule_Create(&module); }
