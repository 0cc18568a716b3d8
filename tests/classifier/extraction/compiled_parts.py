"""What the tests of the compiled parts share: a part that is not built here is a skip, except
under `.ci/run`, which sets `REQUIRE_VARIABLE`: there it is a failure, unless the compiled
parts are turned off on purpose (PAGESIEVE_PURE_PYTHON)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from classifier.extraction import compiled

REQUIRE_VARIABLE = "PAGESIEVE_REQUIRE_COMPILED"


def unavailable(message: str) -> NoReturn:
    """Skip the test (`message` says which part is missing and why), or fail it where every
    compiled part must be there."""
    if os.environ.get(REQUIRE_VARIABLE) == "1" and not compiled.turned_off():
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1)")
    pytest.skip(message)
