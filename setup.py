"""Build hook: the optional compiled walker. Everything else is in pyproject.toml.

The walker (`classifier/dom.py`) is a third of `clean()`'s time, and plain Python. At install
time mypyc compiles a copy of it, `classifier._dom_compiled`, stamped with the SHA-256 of the
`dom.py` it came from; `classifier.dom` uses the compiled copy only while the stamp matches its
own source, so an edited `dom.py` in an editable install is never shadowed by a stale build.
The output is the same either way (tests compare them).

The extension is optional: without a C compiler or mypyc the build warns and installs plain
Python. PAGESIEVE_PURE_PYTHON=1 skips the compilation (and, at run time, its use).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from setuptools import setup

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "classifier" / "dom.py"
STAMP_LINE = 'COMPILED_FROM: str | None = None'
COPY_ROOT = Path("build") / "mypyc-src"  # relative: mypyc names modules by their paths


def compiled_walker() -> list[Any]:
    """The mypyc extension modules of the walker's stamped copy, or none (plain Python)."""
    if os.environ.get("PAGESIEVE_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("pagesieve: mypyc is not installed; the walker stays plain Python", file=sys.stderr)
        return []
    source = SOURCE.read_bytes()
    text = source.decode("utf-8")
    if text.count(STAMP_LINE) != 1:
        raise SystemExit(f"setup.py: {SOURCE} must hold the line {STAMP_LINE!r} exactly once")
    stamp = hashlib.sha256(source).hexdigest()
    os.chdir(ROOT)
    package = COPY_ROOT / "classifier"
    shutil.rmtree(COPY_ROOT, ignore_errors=True)
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    copy = package / "_dom_compiled.py"
    copy.write_text(text.replace(STAMP_LINE, f'COMPILED_FROM: str | None = "{stamp}"'), encoding="utf-8")
    # The build environment has none of the runtime dependencies, so mypy is told not to look
    # for them: numpy and selectolax are typed Any, on every machine alike.
    arguments = ["--no-site-packages", "--ignore-missing-imports", str(copy)]
    try:
        extensions = mypycify(arguments, opt_level="3", debug_level="0", strict_dunder_typing=False)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a failed compile leaves plain Python
        print(f"pagesieve: mypyc could not compile the walker ({error}); it stays plain Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no compiler: a warning and the plain-Python walker
    return extensions


setup(ext_modules=compiled_walker())
