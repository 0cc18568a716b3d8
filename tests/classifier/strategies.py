"""Hypothesis strategies shared by the property tests: JSON-LD-like values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st


def json_values(leaves: Sequence[str], keys: Sequence[str]) -> st.SearchStrategy[Any]:
    """Nested JSON values: scalars (and the given `leaves`), lists, and objects whose keys are
    drawn from `keys`."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(list(leaves)),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(list(keys)), children, max_size=5),
        max_leaves=20,
    )
