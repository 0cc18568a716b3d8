"""Which walker runs: the Cython walker, the mypyc-compiled copy of `classifier.extraction.dom`,
or its plain Python.

setup.py builds two compiled walkers when it can, both optional:
- `classifier.extraction._cwalk` (Cython), which reads Lexbor's node structs directly. It is used
  only after `cwalk_check.checked_walker()` has checked the installed selectolax's struct layout
  and walked a probe page both ways with the same result (else a warning, and the next walker).
- `classifier.extraction._dom_compiled` (mypyc), stamped with the SHA-256 of the `dom.py` it came
  from, and used only while that stamp matches the `dom.py` beside it, so an edited `dom.py` in
  an editable install is never shadowed by a stale build.

The first usable one of these runs, else `dom` itself. `PURE_PYTHON_VARIABLE` set (to anything)
forces the plain Python; `WALKER_VARIABLE` set to one of `KINDS` asks for that walker alone
(the plain Python when it is not usable: for benchmarks and tests). All give the same blocks
(tests compare them). Everything that walks pages takes its functions and classes from here;
`dom` stays the reference (and the source of the constants and type hints).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from . import compiled, cwalk_check, dom

PURE_PYTHON_VARIABLE = compiled.PURE_PYTHON_VARIABLE  # set (to anything): plain Python, even if compiled
WALKER_VARIABLE = "PAGESIEVE_WALKER"  # one of KINDS: that walker only
CYTHON, MYPYC, PYTHON = "cython", "mypyc", "python"
KINDS = (CYTHON, MYPYC, PYTHON)  # in the order of preference


def compiled_walker(source: bytes) -> ModuleType | None:
    """The mypyc-compiled walker if it is installed, was built from `source` (dom.py's bytes)
    and `PURE_PYTHON_VARIABLE` is not set; else None."""
    if compiled.turned_off():
        return None
    try:
        module = importlib.import_module(f"{__package__}._dom_compiled")
    except ImportError:
        return None
    if getattr(module, "COMPILED_FROM", None) != hashlib.sha256(source).hexdigest():
        return None
    return module


def cython_walker() -> Any | None:
    """The checked Cython walker (`_cwalk.Walker`), unless `PURE_PYTHON_VARIABLE` is set or it
    is not built or fails its self-check (see `cwalk_check`)."""
    if compiled.turned_off():
        return None
    return cwalk_check.checked_walker()


def _mypyc_walker() -> ModuleType | None:
    try:
        return compiled_walker(Path(dom.__file__).read_bytes())
    except OSError:  # no source file to check the build against
        return None


def choose(wanted: str | None) -> tuple[str, Any]:
    """The kind and implementation (an object with `walk` and `blocks_from_html` as in `dom`)
    of the walker to use: `wanted` (one of KINDS) alone, or the first usable one when None."""
    for kind in KINDS if wanted not in KINDS else (wanted,):
        found = cython_walker() if kind == CYTHON else _mypyc_walker() if kind == MYPYC else dom
        if found is not None:
            return kind, found
    return PYTHON, dom


KIND, IMPLEMENTATION = choose(os.environ.get(WALKER_VARIABLE, "").strip().lower() or None)
COMPILED: bool = KIND != PYTHON
# The mypyc walker makes blocks of its own classes; the Cython walker makes dom's, and reads
# attribute facts of either kind (the mypyc-compiled ones, when built, compute theirs faster).
_BLOCKS: ModuleType = IMPLEMENTATION if KIND == MYPYC else dom
_HELPERS: ModuleType = _BLOCKS if KIND != CYTHON else (_mypyc_walker() or dom)

AttributeFacts: type[dom.AttributeFacts] = _HELPERS.AttributeFacts
RawBlock: type[dom.RawBlock] = _BLOCKS.RawBlock
parse = IMPLEMENTATION.parse if KIND == CYTHON else _HELPERS.parse  # as blocks_from_html parses
blocks_from_html = IMPLEMENTATION.blocks_from_html
blocks_and_columns_from_html = IMPLEMENTATION.blocks_and_columns_from_html
walk_with_columns = IMPLEMENTATION.walk_with_columns
