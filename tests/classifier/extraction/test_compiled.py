"""`classifier.extraction.compiled`: a compiled part is used only when it is built, made from the
sources beside it (or they are not there), and not turned off by PAGESIEVE_PURE_PYTHON."""

from __future__ import annotations

import importlib.util

import pytest

from classifier.extraction import compiled, decision, features, layout, textstats
from tests.classifier.extraction.compiled_parts import unavailable

# The Cython kernels stamped with their sources, and the sources.
KERNELS = {
    "_textstats": textstats.KERNEL_SOURCES,
    "_features": features.KERNEL_SOURCES,
    "_decision": decision.KERNEL_SOURCES,
    "_text_layout": layout.KERNEL_SOURCES,
}


@pytest.fixture(params=sorted(KERNELS))
def kernel_built(request: pytest.FixtureRequest) -> str:
    """The name of a kernel that is built here (else a skip, or a failure where one must be)."""
    name: str = request.param
    if importlib.util.find_spec(f"classifier.extraction.{name}") is None:
        unavailable(f"the kernel {name} is not built here")
    return name


def test_a_build_of_these_sources_is_loaded(kernel_built: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    module = compiled.load(kernel_built, KERNELS[kernel_built])
    assert module is not None and compiled.sources_digest(KERNELS[kernel_built]) == module.BUILT_FROM


def test_a_build_of_other_sources_is_not(kernel_built: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: "0" * 64)
    assert compiled.load(kernel_built, KERNELS[kernel_built]) is None


def test_without_its_sources_a_build_is_taken_as_it_is(kernel_built: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: None)
    assert compiled.load(kernel_built, KERNELS[kernel_built]) is not None


def test_the_variable_turns_every_part_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compiled.PURE_PYTHON_VARIABLE, "1")
    assert compiled.turned_off()
    assert all(compiled.load(name) is None for name in ("_textstats", "_features", "_trees", "_cwalk", "_decision", "_text_layout"))


def test_a_part_that_is_not_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    assert compiled.load("_no_such_part") is None


def test_the_digest_of_missing_sources_is_none() -> None:
    assert compiled.sources_digest(("no-such-file.pyx",)) is None
    assert compiled.sources_digest(textstats.KERNEL_SOURCES) is not None
