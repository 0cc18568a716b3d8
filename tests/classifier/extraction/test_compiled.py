"""`classifier.extraction.compiled`: a compiled part is used only when it is built, made from the
sources beside it (or they are not there), and not turned off by PAGESIEVE_PURE_PYTHON."""

from __future__ import annotations

import importlib.util
import os

import pytest

from classifier.extraction import compiled, textstats

REQUIRE_VARIABLE = "PAGESIEVE_REQUIRE_COMPILED"  # .ci/run sets it: an unbuilt kernel fails there


@pytest.fixture
def kernel_built() -> None:
    if importlib.util.find_spec("classifier.extraction._textstats") is None:
        if os.environ.get(REQUIRE_VARIABLE) == "1" and not compiled.turned_off():
            pytest.fail(f"the text kernel is not built ({REQUIRE_VARIABLE}=1)")
        pytest.skip("the text kernel is not built here")


def test_a_build_of_these_sources_is_loaded(kernel_built: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    module = compiled.load("_textstats", textstats.KERNEL_SOURCES)
    assert module is not None and module.BUILT_FROM == compiled.sources_digest(textstats.KERNEL_SOURCES)


def test_a_build_of_other_sources_is_not(kernel_built: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: "0" * 64)
    assert compiled.load("_textstats", textstats.KERNEL_SOURCES) is None


def test_without_its_sources_a_build_is_taken_as_it_is(kernel_built: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(compiled, "sources_digest", lambda sources: None)
    assert compiled.load("_textstats", textstats.KERNEL_SOURCES) is not None


def test_the_variable_turns_every_part_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compiled.PURE_PYTHON_VARIABLE, "1")
    assert compiled.turned_off()
    assert all(compiled.load(name) is None for name in ("_textstats", "_trees", "_cwalk"))


def test_a_part_that_is_not_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE_PYTHON_VARIABLE, raising=False)
    assert compiled.load("_no_such_part") is None


def test_the_digest_of_missing_sources_is_none() -> None:
    assert compiled.sources_digest(("no-such-file.pyx",)) is None
    assert compiled.sources_digest(textstats.KERNEL_SOURCES) is not None
