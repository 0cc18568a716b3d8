"""The block model file: plain arrays and a JSON card, read without running any code.

A model is two files: `NAME.npz`, the trees as numpy arrays (`trees.TreeEnsemble.arrays`, and
the block-role model's as `roles.RoleModel.arrays` when it has one), read with
`allow_pickle=False`; and `NAME.card.json`, the card: the file format, `FEATURE_VERSION` and
the feature names the trees read, the roles (when it has a role model), the decision rule (a fixed threshold, or None for the per-page
expected-F1 cut; the share of path smoothing), the SHA-256 of the arrays file, and what
training recorded (library versions, data hash, cross-validated scores).

Loading checks everything before the model is used: the card, the format, the feature version
and names, the arrays' hash, and the trees themselves (`TreeEnsemble.check`); anything wrong
raises `ModelError` saying what. scikit-learn is needed to fit a model (`training`), not to load
or use one, so a model works the same under every scikit-learn release.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .features import FEATURE_VERSION, STAGE_ONE_NAMES
from .roles import RoleModel, role_arrays
from .trees import TreeEnsemble, TreeError

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
SHIPPED_MODEL = MODEL_DIR / "block_model.npz"
MODEL_ENV = "CLASSIFIER_MODEL"
MODEL_FORMAT = "pagesieve-block-model/1"
RETRAIN_HINT = "retrain it with `python -m training.fit --out PATH` (see README.md, 'Retraining')"
_PICKLE_STARTS = (b"\x80", b"\x1f\x8b", b"\x78")  # pickle protocol 2+, gzip or zlib (joblib)


class ModelError(RuntimeError):
    """A model file that cannot be used here: missing, damaged, not a model, or made for other
    features."""


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A block model ready to use: its trees, its decision rule, its role model (None when it
    was trained without block roles) and its card."""

    trees: TreeEnsemble
    threshold: float | None = None  # None: the per-page expected-F1 cut
    path_smoothing: float = 0.0
    card: dict[str, Any] = field(default_factory=dict)
    roles: RoleModel | None = None

    def predict_proba(self, features: np.ndarray, paths: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (boilerplate, content) of one page's blocks, in scikit-learn's
        shape (n_blocks, 2); `paths` (the blocks' DOM path numbers) for path smoothing."""
        content = self.page_probabilities(features, paths)
        return np.column_stack([1.0 - content, content])

    def page_probabilities(self, features: np.ndarray, paths: np.ndarray | None = None) -> np.ndarray:
        """The content probability of every block of one page: the trees' probability, blended
        by `path_smoothing` with the mean over the blocks on the same DOM path (`paths`)."""
        if len(features) == 0:
            return np.zeros(0)
        probability = self.trees.probability(features)
        return smooth(probability, paths, self.path_smoothing)


def smooth(probability: np.ndarray, groups: np.ndarray | None, share: float) -> np.ndarray:
    """Blend each probability with the mean over its group (numbered from 0: the blocks of one
    page and DOM path) by `share`: such blocks are nearly always all content or all
    boilerplate, and the blend keeps one doubtful item from going the other way of its
    siblings."""
    if share <= 0 or groups is None or len(probability) == 0:
        return probability
    group_mean = (np.bincount(groups, weights=probability) / np.bincount(groups))[groups]
    return (1.0 - share) * probability + share * group_mean


def card_path(model_path: str | os.PathLike[str]) -> Path:
    """The card beside a model file: NAME.card.json for NAME.npz."""
    path = Path(model_path)
    return path.with_name(path.name.removesuffix(".npz") + ".card.json")


def save_model(model: LoadedModel, path: str | os.PathLike[str]) -> Path:
    """Write `model` as NAME.npz and NAME.card.json (format, features and hash filled in)."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"a model file is named NAME.npz, not {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    save: Any = np.savez_compressed  # (its stub cannot rule out an array named allow_pickle)
    save(buffer, **model.trees.arrays(), **(model.roles.arrays() if model.roles is not None else {}))
    data = buffer.getvalue()
    card = {
        **model.card,
        "roles": list(model.roles.names) if model.roles is not None else None,
        "format": MODEL_FORMAT,
        "feature_version": FEATURE_VERSION,
        "features": list(STAGE_ONE_NAMES),
        "decision": {"threshold": model.threshold, "path_smoothing": model.path_smoothing},
        "arrays_sha256": hashlib.sha256(data).hexdigest(),
    }
    path.write_bytes(data)
    card_path(path).write_text(json.dumps(card, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _read_card(path: Path) -> dict[str, Any]:
    card_file = card_path(path)
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: its card {card_file.name} is missing (a model is NAME.npz with NAME.card.json)") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"{card_file}: not a readable model card ({error})") from None
    if not isinstance(card, dict) or card.get("format") != MODEL_FORMAT:
        raise ModelError(f"{card_file}: not a pagesieve block model card (format {MODEL_FORMAT!r} expected)")
    return card


def check_card(card: dict[str, Any], path: Path) -> None:
    """Refuse a model made for other features (a version or columns this code does not compute)."""
    version = card.get("feature_version")
    if version != FEATURE_VERSION:
        raise ModelError(
            f"{path} was trained for features version {version!r}, this code computes "
            f"{FEATURE_VERSION!r}: {RETRAIN_HINT}."
        )
    if card.get("features") != list(STAGE_ONE_NAMES):
        raise ModelError(
            f"{path} was trained on other feature columns than this code computes (same "
            f"version {version!r}: the features changed without a version bump): {RETRAIN_HINT}."
        )
    decision = card.get("decision")
    threshold = decision.get("threshold", 0.0) if isinstance(decision, dict) else "missing"
    smoothing = decision.get("path_smoothing") if isinstance(decision, dict) else None
    if not (threshold is None or (isinstance(threshold, (int, float)) and 0 <= threshold <= 1)) or not (
        isinstance(smoothing, (int, float)) and 0 <= smoothing <= 1
    ):
        raise ModelError(f"{path}: the card's decision rule is not valid: {decision!r}")
    roles = card.get("roles")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(role, str) for role in roles)):
        raise ModelError(f"{path}: the card's roles are not a list of names: {roles!r}")


def _read_arrays(path: Path, card: dict[str, Any]) -> tuple[TreeEnsemble, RoleModel | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ModelError(f"{path}: cannot read the model ({error.strerror or error})") from None
    if hashlib.sha256(data).hexdigest() != card.get("arrays_sha256"):
        hint = " (a pickle: pagesieve no longer loads pickled models)" if data.startswith(_PICKLE_STARTS) else ""
        raise ModelError(f"{path}: the file does not match its card (damaged, or not this model's arrays){hint}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            named = {name: arrays[name] for name in arrays.files}
        content, roles = role_arrays(named)
        trees = TreeEnsemble.from_arrays(content)
        role_model = RoleModel.from_arrays(tuple(card["roles"]), roles) if card.get("roles") else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError(f"{path}: not a valid model ({error})") from None
    except TreeError as error:
        raise ModelError(f"{path}: not a valid tree ensemble ({error})") from None
    for ensemble in (trees, role_model):
        if ensemble is not None and ensemble.n_features != len(STAGE_ONE_NAMES):
            raise ModelError(f"{path}: the trees read {ensemble.n_features} columns, the features have {len(STAGE_ONE_NAMES)}")
    return trees, role_model


def load_model(path: str | os.PathLike[str] | None = None) -> LoadedModel:
    """Load a block model (None: `default_model_path()`), after checking it (`ModelError`).

    Safe on any file: nothing in it is executed.
    """
    path = Path(path) if path is not None else default_model_path()
    if path.suffix in (".joblib", ".pkl", ".pickle"):
        raise ModelError(f"{path}: pickled models are not loaded (they run code); {RETRAIN_HINT}")
    if path.suffix != ".npz":
        raise ModelError(f"{path}: a block model is a NAME.npz file with its NAME.card.json")
    if not path.is_file():
        raise ModelError(f"no model file at {path}")
    card = _read_card(path)
    check_card(card, path)
    trees, roles = _read_arrays(path, card)
    decision = card["decision"]
    threshold = decision["threshold"]
    return LoadedModel(
        trees=trees,
        threshold=None if threshold is None else float(threshold),
        path_smoothing=float(decision["path_smoothing"]),
        card=card,
        roles=roles,
    )


def default_model_path() -> Path:
    """The file `$CLASSIFIER_MODEL` names when it is set, else the shipped model."""
    return Path(os.environ.get(MODEL_ENV) or SHIPPED_MODEL)
