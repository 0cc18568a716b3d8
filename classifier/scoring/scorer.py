"""The page scorer's model file and the object that scores with it.

`ScorerModel` is a logistic regression over the evidence terms (`evidence.TERM_NAMES`) with its
card, read from JSON (`models/page_scorer.json`, written by `python -m training.fit_scorer`): it
cannot run code when loaded. Each piece of evidence's reason weighs the sum of its terms'
weights, so the intercept and the reasons add up to the log-odds exactly. A `PageScorer` holds
a `ScorerModel`, the compiled pattern tables and the attribution grammar built from them; make
one and reuse it for many pages.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..extraction.model import MODEL_DIR, ModelError
from .attribution import Grammar
from .evidence import TERM_NAMES, Evidence
from .patterns import Patterns, load_patterns
from .signals import SKIPPABLE

SHIPPED_SCORER = MODEL_DIR / "page_scorer.json"
SCORER_ENV = "CLASSIFIER_SCORER"
SCORER_VERSION = 2
RETRAIN_HINT = "train it with `python -m training.fit_scorer`"


@dataclass(frozen=True)
class ScorerModel:
    """Logistic regression over `TERM_NAMES`, with its card. A page's log-odds is the intercept
    plus each piece of evidence's `contribution`."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    card: dict[str, Any] = field(default_factory=dict)

    def contribution(self, item: Evidence) -> float:
        """The piece of evidence's share of the log-odds: the weights of its terms."""
        return sum(self.weights.get(name, 0.0) * value for name, value in item.terms().items())

    def logit(self, items: list[Evidence]) -> float:
        return self.intercept + sum(self.contribution(item) for item in items)

    def to_json(self) -> dict[str, Any]:
        return {
            "scorer_version": SCORER_VERSION,
            "terms": list(TERM_NAMES),
            "weights": self.weights,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "card": self.card,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "scorer") -> ScorerModel:
        """The scorer of `to_json()`'s data; `ModelError` for anything else."""
        if not isinstance(data, dict) or data.get("scorer_version") != SCORER_VERSION:
            raise ModelError(f"{source} is not a page scorer of version {SCORER_VERSION}: {RETRAIN_HINT}.")
        if data.get("terms") != list(TERM_NAMES):
            raise ModelError(f"{source} was made for other page signals: {RETRAIN_HINT}.")
        try:
            weights = _numbers(data["weights"])
            if set(weights) - set(TERM_NAMES):
                raise ValueError(f"weights of unknown terms: {sorted(set(weights) - set(TERM_NAMES))}")
            return cls(
                weights=weights,
                intercept=_number(data["intercept"]),
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
    or None for the default), the compiled pattern tables (`patterns`: None for the shipped
    ones) and the attribution grammar built from them.

    `read_all` (default False): look for every kind of evidence, also those the model weighs 0
    (training does); by default the detectors of such codes (`signals.SKIPPABLE`) are not run,
    which changes no probability and no reason.
    """

    def __init__(
        self, model: ScorerModel | str | os.PathLike[str] | None = None, *, patterns: Patterns | None = None, read_all: bool = False
    ) -> None:
        self.model: ScorerModel = model if isinstance(model, ScorerModel) else load_scorer(model)
        self.patterns: Patterns = patterns if patterns is not None else load_patterns()
        self.grammar: Grammar = Grammar.of(self.patterns)
        weighed = {name for name, weight in self.model.weights.items() if weight}
        self.skip: frozenset[str] = frozenset() if read_all else SKIPPABLE - weighed
