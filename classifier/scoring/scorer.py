"""The page scorer's model file and the object that scores with it.

`ScorerModel` is a standardised logistic regression over `SIGNAL_NAMES` with its card, read
from JSON (`models/page_scorer.json`, written by `python -m training.fit_scorer`): it cannot run
code when loaded, and each reason's weight is its contribution to the log-odds, so the reasons
explain the probability exactly. A `PageScorer` holds a `ScorerModel` and the compiled pattern
tables; make one and reuse it for many pages.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..extraction.model import MODEL_DIR, ModelError
from .patterns import Patterns, load_patterns
from .signals import SIGNAL_NAMES

SHIPPED_SCORER = MODEL_DIR / "page_scorer.json"
SCORER_ENV = "CLASSIFIER_SCORER"
SCORER_VERSION = 1
RETRAIN_HINT = "train it with `python -m training.fit_scorer`"


@dataclass(frozen=True)
class ScorerModel:
    """Standardised logistic regression over `SIGNAL_NAMES`, with its card."""

    weights: dict[str, float]
    intercept: float
    means: dict[str, float]
    scales: dict[str, float]
    threshold: float
    card: dict[str, Any] = field(default_factory=dict)

    def contributions(self, row: list[float]) -> dict[str, float]:
        """Each feature's share of the log-odds, relative to the feature being absent (zero
        for features that are off)."""
        out = {}
        for name, value in zip(SIGNAL_NAMES, row):
            centred = (value - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            baseline = (0.0 - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            out[name] = self.weights.get(name, 0.0) * (centred - baseline)
        return out

    def baseline_logit(self) -> float:
        """The log-odds of a page with no signal at all."""
        return self.intercept + sum(
            self.weights.get(name, 0.0) * (0.0 - self.means.get(name, 0.0)) / self.scales.get(name, 1.0)
            for name in SIGNAL_NAMES
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scorer_version": SCORER_VERSION,
            "features": list(SIGNAL_NAMES),
            "weights": self.weights,
            "intercept": self.intercept,
            "means": self.means,
            "scales": self.scales,
            "threshold": self.threshold,
            "card": self.card,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "scorer") -> ScorerModel:
        """The scorer of `to_json()`'s data; `ModelError` for anything else."""
        if not isinstance(data, dict) or data.get("scorer_version") != SCORER_VERSION:
            raise ModelError(f"{source} is not a page scorer of version {SCORER_VERSION}: {RETRAIN_HINT}.")
        if data.get("features") != list(SIGNAL_NAMES):
            raise ModelError(f"{source} was made for other page signals: {RETRAIN_HINT}.")
        try:
            return cls(
                weights=_numbers(data["weights"]),
                intercept=_number(data["intercept"]),
                means=_numbers(data["means"]),
                scales=_numbers(data["scales"]),
                threshold=_number(data["threshold"]),
                card=dict(data.get("card") or {}),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{source} is not a valid page scorer ({type(error).__name__}: {error})") from None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def _numbers(values: Any) -> dict[str, float]:
    if not isinstance(values, dict):
        raise TypeError("expected an object of numbers")
    return {str(key): _number(value) for key, value in values.items()}


def load_scorer(path: str | os.PathLike[str] | None = None) -> ScorerModel:
    """Load a page-scorer file (JSON: safe to load from anywhere); None for the default
    (`$CLASSIFIER_SCORER`, else the shipped one)."""
    path = Path(path) if path is not None else default_scorer_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no page scorer at {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"{path} is not a readable page scorer ({error})") from None
    return ScorerModel.from_json(data, source=str(path))


def default_scorer_path() -> Path:
    """The file `$CLASSIFIER_SCORER` names when it is set, else the shipped scorer."""
    return Path(os.environ.get(SCORER_ENV) or SHIPPED_SCORER)


class PageScorer:
    """A page scorer ready to use: its model (`model`: a `ScorerModel`, a scorer file's path,
    or None for the default) and the compiled pattern tables (`patterns`: None for the
    shipped ones)."""

    def __init__(self, model: ScorerModel | str | os.PathLike[str] | None = None, *, patterns: Patterns | None = None) -> None:
        self.model: ScorerModel = model if isinstance(model, ScorerModel) else load_scorer(model)
        self.patterns: Patterns = patterns if patterns is not None else load_patterns()
