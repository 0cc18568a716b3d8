"""`classifier.extraction.model`: model files are plain data, checked before use, never run.

Every file that is not a usable model raises `ModelError` saying what is wrong, and nothing in
a file is ever executed (a crafted pickle leaves its marker file unwritten).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier import ModelError, load_model
from classifier.extraction.model import SHIPPED_MODEL, LoadedModel, card_path, save_model


class _Planted:
    """Unpickling this runs `open(path, "w")`: the marker of code executed on load."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def shipped_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SHIPPED_MODEL.name
    shutil.copyfile(SHIPPED_MODEL, target)
    shutil.copyfile(card_path(SHIPPED_MODEL), card_path(target))
    return target


def with_arrays(folder: Path, data: bytes) -> Path:
    """A model whose arrays file is `data`, with a card that names its hash (so only the
    content is judged)."""
    path = shipped_copy(folder)
    path.write_bytes(data)
    card = json.loads(card_path(path).read_text())
    card["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    card_path(path).write_text(json.dumps(card))
    return path


def test_the_shipped_model_loads_and_round_trips(tmp_path: Path) -> None:
    model = load_model()
    assert model.trees.n_trees > 0 and model.threshold is None and 0 < model.path_smoothing < 1
    saved = save_model(LoadedModel(model.trees, 0.4, 0.25, {"note": "copy"}), tmp_path / "copy.npz")
    again = load_model(saved)
    assert again.threshold == 0.4 and again.path_smoothing == 0.25 and again.card["note"] == "copy"
    X = np.random.default_rng(0).normal(size=(50, model.trees.n_features)).astype(np.float32)
    assert np.array_equal(again.trees.raw_scores(X), model.trees.raw_scores(X))


def test_a_pickle_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    path = with_arrays(tmp_path / "m", pickle.dumps(_Planted(str(marker))))
    with pytest.raises(ModelError, match="not a valid model"):
        load_model(path)
    assert not marker.exists()
    old = tmp_path / "old.joblib"
    old.write_bytes(pickle.dumps(_Planted(str(marker))))
    with pytest.raises(ModelError, match="pickled models are not loaded"):
        load_model(old)
    assert not marker.exists()


def test_an_object_array_inside_the_npz_is_refused_unread(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    arrays = load_model().trees.arrays()
    arrays["value"] = np.array([_Planted(str(marker))], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path = with_arrays(tmp_path / "m", buffer.getvalue())
    with pytest.raises(ModelError, match="not a valid model"):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: os.urandom(4096), "does not match its card"),
        (lambda data: data[: len(data) // 2], "does not match its card"),
        (lambda data: bytes([data[0] ^ 1]) + data[1:], "does not match its card"),
        (lambda data: b"", "does not match its card"),
    ],
)
def test_damaged_arrays_are_refused(tmp_path: Path, damage: object, message: str) -> None:
    path = shipped_copy(tmp_path / "m")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(ModelError, match=message):
        load_model(path)


def test_random_bytes_that_match_their_card_are_still_refused(tmp_path: Path) -> None:
    path = with_arrays(tmp_path / "m", os.urandom(2048))
    with pytest.raises(ModelError, match="not a valid model"):
        load_model(path)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (None, "card .* is missing"),
        ("{not json", "not a readable model card"),
        ("[]", "not a pagesieve block model card"),
        ('{"format": "something-else"}', "not a pagesieve block model card"),
    ],
)
def test_a_missing_or_foreign_card_is_refused(tmp_path: Path, card: str | None, message: str) -> None:
    path = shipped_copy(tmp_path / "m")
    if card is None:
        card_path(path).unlink()
    else:
        card_path(path).write_text(card)
    with pytest.raises(ModelError, match=message):
        load_model(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"feature_version": "1999.1.1"}, "features version"),
        ({"features": ["a", "b"]}, "other feature columns"),
        ({"decision": {"threshold": 1.5, "path_smoothing": 0.5}}, "decision rule"),
        ({"decision": {"threshold": None}}, "decision rule"),
        ({"decision": "per page"}, "decision rule"),
    ],
)
def test_a_card_for_other_features_or_a_bad_decision_is_refused(tmp_path: Path, change: dict, message: str) -> None:
    path = shipped_copy(tmp_path / "m")
    card = json.loads(card_path(path).read_text())
    card.update(change)
    card_path(path).write_text(json.dumps(card))
    with pytest.raises(ModelError, match=message):
        load_model(path)


def test_a_file_that_is_not_a_model_file_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "absent.npz")
    (tmp_path / "model.bin").write_bytes(b"\x00" * 10)
    with pytest.raises(ModelError, match="NAME.npz"):
        load_model(tmp_path / "model.bin")
