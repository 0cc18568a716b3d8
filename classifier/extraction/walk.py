"""Which walker runs: the compiled copy of `classifier.extraction.dom`, or its plain Python.

setup.py compiles `dom.py` with mypyc at install time into `classifier.extraction._dom_compiled`,
stamped with the SHA-256 of the source it came from. The compiled copy is used only while that
stamp matches the `dom.py` beside it, so an edited `dom.py` in an editable install is never
shadowed by a stale build, and never when `PURE_PYTHON_VARIABLE` is set. Both give the same
blocks (tests compare them). Everything that walks pages takes its functions and classes from
here; `dom` stays the reference (and the source of the constants and type hints).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path
from types import ModuleType

from . import dom

PURE_PYTHON_VARIABLE = "PAGESIEVE_PURE_PYTHON"  # set (to anything): plain Python, even if compiled


def compiled_walker(source: bytes) -> ModuleType | None:
    """The compiled walker if it is installed, was built from `source` (dom.py's bytes) and
    `PURE_PYTHON_VARIABLE` is not set; else None."""
    if os.environ.get(PURE_PYTHON_VARIABLE):
        return None
    try:
        module = importlib.import_module(f"{__package__}._dom_compiled")
    except ImportError:
        return None
    if getattr(module, "COMPILED_FROM", None) != hashlib.sha256(source).hexdigest():
        return None
    return module


def _implementation() -> ModuleType:
    try:
        compiled = compiled_walker(Path(dom.__file__).read_bytes())
    except OSError:  # no source file to check the build against
        compiled = None
    return compiled if compiled is not None else dom


IMPLEMENTATION: ModuleType = _implementation()
COMPILED: bool = IMPLEMENTATION is not dom

AttributeFacts: type[dom.AttributeFacts] = IMPLEMENTATION.AttributeFacts
RawBlock: type[dom.RawBlock] = IMPLEMENTATION.RawBlock
blocks_from_html = IMPLEMENTATION.blocks_from_html
parse = IMPLEMENTATION.parse
