"""Which compiled parts may run: built, made from the sources beside them, and not turned off.

setup.py builds the compiled parts when it can (the Cython walker `_cwalk`, the mypyc walker
`_dom_compiled`, the text kernel `_textstats`, the feature kernel `_features`, the tree kernel
`_trees`, the decision kernel `_decision`, the layout kernel `_text_layout`), each stamped with the SHA-256 of its sources. A part
is used only while its stamp matches the sources beside it, so an edited source in an editable
install is never shadowed by a stale build; a part installed without its sources is taken as it
is. `PURE_PYTHON_VARIABLE` set (to anything) turns every part off: the plain Python path, as on
a machine without a C compiler. Each module that has a compiled twin chooses it once, at
import, through `load`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PURE_PYTHON_VARIABLE = "PAGESIEVE_PURE_PYTHON"
FOLDER = Path(__file__).resolve().parent


def turned_off() -> bool:
    """Whether `PURE_PYTHON_VARIABLE` asks for the plain Python path."""
    return bool(os.environ.get(PURE_PYTHON_VARIABLE))


def sources_digest(sources: Sequence[str], folder: Path = FOLDER) -> str | None:
    """The SHA-256 of the files `sources` in `folder`, one after the other (what setup.py stamps
    a build with), or None when one is missing."""
    digest = hashlib.sha256()
    try:
        for name in sources:
            digest.update((folder / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def built_from(module: ModuleType, sources: Sequence[str], stamp: str = "BUILT_FROM") -> bool:
    """Whether `module` was built from `sources` as they are beside this file (its `stamp`
    attribute holds their digest), or they are not there to compare."""
    expected = sources_digest(sources)
    return expected is None or getattr(module, stamp, None) == expected


def load(name: str, sources: Sequence[str] = (), stamp: str = "BUILT_FROM") -> ModuleType | None:
    """The compiled module `name` of this package if it is built, not turned off and (when
    `sources` are named) built from them; else None."""
    if turned_off():
        return None
    try:
        module = importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        return None
    return module if not sources or built_from(module, sources, stamp) else None
