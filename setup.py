"""Build hook: the optional compiled parts. Everything else is in pyproject.toml.

- The walker (`classifier/extraction/dom.py`) compiled by mypyc into
  `classifier.extraction._dom_compiled`, stamped with the SHA-256 of the `dom.py` it came from;
  `classifier.extraction.walk` uses it only while the stamp matches its own source, so an edited
  `dom.py` in an editable install is never shadowed by a stale build.
- The Cython walker (`classifier/extraction/_cwalk.pyx`, with `_layout.pxi`,
  `_attribute_facts.pxi` and `_utf8.pxi`), which reads Lexbor's node structs with the layout the project
  declares (`_lexbor_layout.pxd`; no Lexbor header is needed), stamped with the SHA-256 of its
  sources. At run time it is used only after a self-check (`classifier/extraction/cwalk_check.py`).
- The text kernel (`classifier/extraction/_textstats.pyx`): the character statistics and tokens
  of `textstats` in Cython, stamped likewise; `textstats` uses it only while the stamp matches.
- The feature kernel (`classifier/extraction/_features.pyx`): most of the block feature columns
  of `features` in Cython, stamped likewise; `features` uses it only while the stamp matches.
  Compiled without fused multiply-adds, so its float64 arithmetic rounds as numpy's.
- The tree kernel (`classifier/extraction/_trees.c`), plain C over the buffer protocol, stamped
  likewise; `trees` uses it only while the stamp matches.
- The decision kernel (`classifier/extraction/_decision.pyx`): the per-page cut's expected
  scores and the decision of `decision` in Cython, stamped likewise, compiled without fused
  multiply-adds.
- The layout kernel (`classifier/extraction/_text_layout.pyx`): `layout.assemble` in Cython,
  stamped likewise.

All are optional: without a C compiler (or mypyc, or Cython) the build warns and installs plain
Python, which gives the same output (tests compare them). PAGESIEVE_PURE_PYTHON=1 skips the
compilation (and, at run time, the use of anything compiled).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "classifier" / "extraction" / "dom.py"
STAMP_LINE = "COMPILED_FROM: str | None = None"
CYTHON_SOURCES = ("dom.py", "_cwalk.pyx", "_layout.pxi", "_attribute_facts.pxi", "_utf8.pxi", "_lexbor_layout.pxd")  # as cwalk_check.SOURCES
TEXT_KERNEL_SOURCES = ("_textstats.pyx",)  # as textstats.KERNEL_SOURCES
FEATURE_KERNEL_SOURCES = ("_features.pyx",)  # as features.KERNEL_SOURCES
DECISION_KERNEL_SOURCES = ("_decision.pyx",)  # as decision.KERNEL_SOURCES
LAYOUT_KERNEL_SOURCES = ("_text_layout.pyx",)  # as layout.KERNEL_SOURCES
COPY_ROOT = Path("build") / "mypyc-src"  # relative: mypyc names modules by their paths


class OptionalBuildExt(build_ext):
    """Build every extension it can; one that fails to compile leaves its plain Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # noqa: BLE001 - no compiler at all: plain Python
            print(f"pagesieve: no compiled parts ({error}); plain Python is used", file=sys.stderr)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001 - this one part stays plain Python
            print(f"pagesieve: could not compile {ext.name} ({error}); plain Python is used", file=sys.stderr)


def tree_kernel() -> list[Extension]:
    """The C kernel of the tree ensemble, stamped with the SHA-256 of its source."""
    if os.environ.get("PAGESIEVE_PURE_PYTHON"):
        return []
    digest = hashlib.sha256((ROOT / "classifier" / "extraction" / "_trees.c").read_bytes()).hexdigest()
    return [
        Extension(
            "classifier.extraction._trees",
            ["classifier/extraction/_trees.c"],
            extra_compile_args=["-O3"],
            define_macros=[("PAGESIEVE_BUILT_FROM", f'"{digest}"')],  # compared with the source at import
        )
    ]


def cython_extension(name: str, sources: tuple[str, ...], compile_args: tuple[str, ...] = ()) -> list[Any]:
    """The Cython extension `classifier.extraction.<name>` (from `<name>.pyx`, which includes or
    cimports the other `sources`), stamped with the SHA-256 of its sources, compiled with
    `compile_args` after -O2 (a later -O wins); or none (Cython is not installed: plain Python)."""
    if os.environ.get("PAGESIEVE_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print(f"pagesieve: Cython is not installed; {name} is not built", file=sys.stderr)
        return []
    folder = ROOT / "classifier" / "extraction"
    digest = hashlib.sha256(b"".join((folder / source).read_bytes() for source in sources)).hexdigest()
    extension = Extension(
        f"classifier.extraction.{name}",
        [f"classifier/extraction/{name}.pyx"],
        extra_compile_args=["-O2", *compile_args],
        define_macros=[("PAGESIEVE_BUILT_FROM", f'"{digest}"')],  # compared with the sources at import
        depends=[f"classifier/extraction/{source}" for source in sources],  # dom.py too: rebuilt when it changes
    )
    try:
        extensions = cythonize([extension], compiler_directives={"language_level": "3"}, build_dir="build/cython", quiet=True)
    except Exception as error:  # noqa: BLE001 - a failed translation leaves plain Python
        print(f"pagesieve: Cython could not translate {name} ({error}); it is not built", file=sys.stderr)
        return []
    for each in extensions:
        each.optional = True
    return extensions


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
    package = COPY_ROOT / "classifier" / "extraction"
    shutil.rmtree(COPY_ROOT, ignore_errors=True)
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
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


setup(
    ext_modules=cython_extension("_cwalk", CYTHON_SOURCES)
    + cython_extension("_textstats", TEXT_KERNEL_SOURCES, ("-O3",))  # integer counts: vectorised, same numbers
    + cython_extension("_features", FEATURE_KERNEL_SOURCES, ("-ffp-contract=off",))
    + cython_extension("_decision", DECISION_KERNEL_SOURCES, ("-O3", "-ffp-contract=off"))  # divisions vectorised, no FMA
    + cython_extension("_text_layout", LAYOUT_KERNEL_SOURCES)
    + compiled_walker()
    + tree_kernel(),
    cmdclass={"build_ext": OptionalBuildExt},
)
