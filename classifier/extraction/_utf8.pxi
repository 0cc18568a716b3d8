# The UTF-8 bytes of a page's text, as `str.encode("utf-8", "ignore")` makes them (lone
# surrogates are dropped), for the parser. CPython encodes a str that is not ASCII one character
# at a time; a page is mostly ASCII markup even when its text is not, so this copies runs of
# ASCII sixteen characters at a time (SSE2, which every x86-64 has; eight bytes at a time
# elsewhere) and encodes the rest one character at a time. Included by `_cwalk.pyx`.

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif

    /* The length of the run of ASCII characters at the start of s (n characters of `width`
       bytes), copied into out as bytes. Checks blocks of characters, so it may stop up to a
       block before the first character that is not ASCII (the caller encodes from there). */
    static Py_ssize_t pagesieve_ascii_run(const void *s, int width, Py_ssize_t n, unsigned char *out) {
        Py_ssize_t i = 0;
        if (width == 1) {
            const unsigned char *c = (const unsigned char *)s;
            for (; i + 8 <= n; i += 8) {
                uint64_t w;
                memcpy(&w, c + i, 8);
                if (w & 0x8080808080808080ULL) break;
                memcpy(out + i, &w, 8);
            }
        } else if (width == 2) {
            const Py_UCS2 *c = (const Py_UCS2 *)s;
    #if defined(__SSE2__)
            const __m128i high = _mm_set1_epi16((short)0xFF80), zero = _mm_setzero_si128();
            for (; i + 16 <= n; i += 16) {
                __m128i a = _mm_loadu_si128((const __m128i *)(c + i)), b = _mm_loadu_si128((const __m128i *)(c + i + 8));
                if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(_mm_or_si128(a, b), high), zero)) != 0xFFFF) break;
                _mm_storeu_si128((__m128i *)(out + i), _mm_packus_epi16(a, b));
            }
    #endif
            for (; i + 4 <= n; i += 4) {
                uint64_t w;
                memcpy(&w, c + i, 8);
                if (w & 0xFF80FF80FF80FF80ULL) break;
                out[i] = (unsigned char)c[i], out[i + 1] = (unsigned char)c[i + 1];
                out[i + 2] = (unsigned char)c[i + 2], out[i + 3] = (unsigned char)c[i + 3];
            }
        } else {
            const Py_UCS4 *c = (const Py_UCS4 *)s;
    #if defined(__SSE2__)
            const __m128i high = _mm_set1_epi32((int)0xFFFFFF80), zero = _mm_setzero_si128();
            for (; i + 16 <= n; i += 16) {
                __m128i a = _mm_loadu_si128((const __m128i *)(c + i)), b = _mm_loadu_si128((const __m128i *)(c + i + 4));
                __m128i d = _mm_loadu_si128((const __m128i *)(c + i + 8)), e = _mm_loadu_si128((const __m128i *)(c + i + 12));
                __m128i any = _mm_and_si128(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(d, e)), high);
                if (_mm_movemask_epi8(_mm_cmpeq_epi32(any, zero)) != 0xFFFF) break;
                /* below 0x80, so neither signed packing saturates */
                _mm_storeu_si128((__m128i *)(out + i), _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(d, e)));
            }
    #endif
            for (; i + 2 <= n; i += 2) {
                uint64_t w;
                memcpy(&w, c + i, 8);
                if (w & 0xFFFFFF80FFFFFF80ULL) break;
                out[i] = (unsigned char)c[i], out[i + 1] = (unsigned char)c[i + 1];
            }
        }
        return i;
    }

    /* One character as UTF-8 at out; the bytes written (none for a surrogate: "ignore"). */
    static inline Py_ssize_t pagesieve_utf8_char(Py_UCS4 c, unsigned char *out) {
        if (c < 0x80) {
            out[0] = (unsigned char)c;
            return 1;
        }
        if (c < 0x800) {
            out[0] = (unsigned char)(0xC0 | (c >> 6)), out[1] = (unsigned char)(0x80 | (c & 0x3F));
            return 2;
        }
        if (c >= 0xD800 && c < 0xE000) return 0;
        if (c < 0x10000) {
            out[0] = (unsigned char)(0xE0 | (c >> 12)), out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            out[2] = (unsigned char)(0x80 | (c & 0x3F));
            return 3;
        }
        out[0] = (unsigned char)(0xF0 | (c >> 18)), out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)), out[3] = (unsigned char)(0x80 | (c & 0x3F));
        return 4;
    }

    static PyObject *pagesieve_utf8(PyObject *text) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        int width = PyUnicode_KIND(text);
        const char *data = (const char *)PyUnicode_DATA(text);
        if (PyUnicode_IS_ASCII(text)) return PyBytes_FromStringAndSize(data, n);
        if (n > PY_SSIZE_T_MAX / 4) return PyErr_NoMemory();
        PyObject *bytes = PyBytes_FromStringAndSize(NULL, n * (width == 1 ? 2 : width == 2 ? 3 : 4));
        if (bytes == NULL) return NULL;
        unsigned char *start = (unsigned char *)PyBytes_AS_STRING(bytes), *out = start;
        Py_ssize_t i = 0;
        while (i < n) {
            Py_ssize_t run = pagesieve_ascii_run(data + i * width, width, n - i, out);
            i += run, out += run;
            /* Then one at a time: the rest of the block that stopped the run, with the first
               character that is not ASCII, and those after it up to the next ASCII one. */
            int past = 0;
            for (; i < n; i++) {
                Py_UCS4 c = PyUnicode_READ(width, data, i);
                if (c < 0x80 && past) break;
                past |= c >= 0x80;
                out += pagesieve_utf8_char(c, out);
            }
        }
        if (_PyBytes_Resize(&bytes, out - start) < 0) return NULL;
        return bytes;
    }
    """
    bytes _utf8 "pagesieve_utf8" (str text)


def utf8_of(text: str) -> bytes:
    """`text.encode("utf-8", "ignore")`, as the walker's parse makes it (a door for the tests)."""
    return _utf8(text)
