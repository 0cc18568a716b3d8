"""Training end to end on a handful of pages (the full fit is a command, not a test)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier import ModelError, clean, extract, load_model
from classifier.extraction.features import FEATURE_VERSION, STAGE_ONE_NAMES
from classifier.extraction.model import LoadedModel
from training import fit
from training.corpus import load_wcxb
from training.dataset import block_weights, build_dataset
from training.estimator import N_KEYS, BlockModel, default_estimator, export

ROOT = Path(__file__).resolve().parents[2]
WCXB = ROOT / "data" / "wcxb-dev"


@pytest.fixture(scope="module")
def small_dataset():
    pages = [page for _, page in zip(range(12), load_wcxb(WCXB))]
    return build_dataset(pages, n_jobs=1)


def test_dataset_rows_labels_and_weights(small_dataset) -> None:
    ds = small_dataset
    assert ds.X.shape == (len(ds.y), len(STAGE_ONE_NAMES) + N_KEYS)
    assert 0 < ds.y.mean() < 1
    for number, rows in enumerate(ds.page_rows()):
        assert np.array_equal(np.flatnonzero(ds.page_index == number), np.arange(len(ds.y))[rows])
        assert ds.weights[rows].sum() == pytest.approx(1.0)
        # The path ids kept for the cut are the ones in the key columns.
        assert np.array_equal(ds.pages[number].paths, ds.X[rows, len(STAGE_ONE_NAMES) + 1])


def test_block_weights_floor_short_blocks() -> None:
    weights = block_weights(np.array([0, 1, 1000]))
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] > 0 and weights[2] > weights[1]


def test_block_model_is_deterministic_and_learns(small_dataset) -> None:
    ds = small_dataset
    make = lambda: BlockModel(estimator=default_estimator(max_iter=20))
    first = make().fit(ds.X, ds.y, sample_weight=ds.weights).predict_proba(ds.X)[:, 1]
    again = make().fit(ds.X, ds.y, sample_weight=ds.weights).predict_proba(ds.X)[:, 1]
    assert np.array_equal(first, again)
    assert first[ds.y == 1].mean() > first[ds.y == 0].mean() + 0.3


def test_path_smoothing_blends_each_block_with_its_path_siblings(small_dataset) -> None:
    ds = small_dataset
    raw = BlockModel(estimator=default_estimator(max_iter=20)).fit(ds.X, ds.y, sample_weight=ds.weights)
    smoothed = BlockModel(estimator=default_estimator(max_iter=20), path_smoothing=0.5)
    smoothed.fit(ds.X, ds.y, sample_weight=ds.weights)
    p = raw.predict_proba(ds.X)[:, 1]
    q = smoothed.predict_proba(ds.X)[:, 1]
    page, path = ds.X[:, len(STAGE_ONE_NAMES)], ds.X[:, len(STAGE_ONE_NAMES) + 1]
    for row in (0, len(p) // 2, len(p) - 1):
        siblings = (page == page[row]) & (path == path[row])
        assert q[row] == pytest.approx(0.5 * p[row] + 0.5 * p[siblings].mean())
    # One page at a time gives what all pages at once give: the keys keep pages apart.
    first_page = page == page[0]
    assert np.allclose(smoothed.predict_proba(ds.X[first_page])[:, 1], q[first_page])
    with pytest.raises(ValueError, match="keys"):
        smoothed.predict_proba(ds.X[:, : len(STAGE_ONE_NAMES)])
    # extract()'s path, one page from its features and paths with the exported trees, agrees.
    first = ds.pages[0]
    loaded = export(smoothed, {}, threshold=None)
    assert isinstance(loaded, LoadedModel)
    assert np.allclose(loaded.page_probabilities(first.features, first.paths), q[ds.page_index == 0], rtol=0, atol=1e-9)


def test_fit_command_writes_a_model_that_loads_and_cleans(tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    status = fit.main(
        ["--limit", "12", "--max-iter", "20", "--out", str(out), "--skip-scorer", "--n-jobs", "1",
         "--cv-output", str(tmp_path / "cv.npz"), "--folds", "3"]
    )
    assert status == 0
    card = json.loads((tmp_path / "model.card.json").read_text())
    assert card["feature_version"] == FEATURE_VERSION and card["export_max_difference"] <= 1e-9
    assert set(card["cv"]["out_of_fold"]["wcxb"]) >= {"overall", "shingle_f1"}
    assert card["data"]["pages"] == 12 and len(card["data"]["sha256"]) == 64
    model = load_model(out)
    text = clean("<html><body><p>" + "A sentence of the story. " * 20 + "</p></body></html>", model=model)
    assert "sentence of the story" in text
    card["feature_version"] = "0"
    (tmp_path / "model.card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="retrain"):
        load_model(out)


def test_jsonl_corpus_is_accepted(tmp_path: Path) -> None:
    from training.corpus import load_corpus

    lines = [
        {"url": f"https://site{i}.example/a", "html": f"<p>Story {i} text here.</p><nav>menu</nav>", "main_text": f"Story {i} text here."}
        for i in range(3)
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    pages = list(load_corpus(path))
    assert [p.main_text for p in pages] == [line["main_text"] for line in lines]


def test_fit_with_out_writes_the_scorer_beside_the_model_not_over_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifier.scoring.scorer import SHIPPED_SCORER
    from training import fit_scorer

    given: list[list[str]] = []
    monkeypatch.setattr(fit_scorer, "main", lambda argv: given.append(list(argv)) or 0)
    shipped = SHIPPED_SCORER.read_bytes()
    out = tmp_path / "m" / "model.npz"
    assert fit.main(["--limit", "8", "--max-iter", "5", "--out", str(out), "--skip-cv", "--n-jobs", "1", "--fragment-weight", "0"]) == 0
    assert given == [["--model", str(out), "--out", str(tmp_path / "m" / "page_scorer.json")]]
    assert SHIPPED_SCORER.read_bytes() == shipped
    # --skip-cv keeps the per-page cut, the default decision.
    card = json.loads((tmp_path / "m" / "model.card.json").read_text())
    assert card["decision"]["threshold"] is None and "per page" in card["decision_rule"]
    assert load_model(out).threshold is None


def test_a_fit_on_pages_labelled_with_roles_ships_a_role_model(tmp_path: Path) -> None:
    out = tmp_path / "model.npz"
    status = fit.main(
        ["--corpus", str(ROOT / "data" / "farm"), "--limit", "12", "--max-iter", "20", "--role-max-iter", "10",
         "--out", str(out), "--skip-scorer", "--n-jobs", "1", "--cv-output", str(tmp_path / "cv.npz"), "--folds", "3"]
    )  # fmt: skip
    assert status == 0
    card = json.loads((tmp_path / "model.card.json").read_text())
    assert card["roles"] == ["title", "standfirst", "byline", "body", "caption", "comment", "related", "navigation", "other"]
    assert set(card["roles_cv"]["per_role"]) == set(card["roles"]) and 0 < card["roles_cv"]["accuracy"] <= 1
    assert set(card["cv"]["out_of_fold"]) == {"farm"} and card["data"]["role_pages"] == 12
    model = load_model(out)
    assert model.roles is not None
    page = (
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><h1>Bridge to close for repairs</h1>"
        + "<p>The council voted on Tuesday to close the old bridge for repairs, officials said after an inspection.</p>" * 6
        + "</body></html>"
    )
    document = extract(page, model=model)
    roles = [block.role for block in document.blocks]
    assert all(role in card["roles"] for role in roles)
    assert all((role == "body") == block.is_content for role, block in zip(roles, document.blocks))
    # What include_title adds is exactly the blocks given the title role.
    titled = extract(page, model=model, include_title=True)
    added = [block.text for block in titled.blocks if block.role == "title"]
    assert titled.text.count("\n\n") >= document.text.count("\n\n")
    assert all(text in titled.text for text in added)
    assert clean(page, model=model, include_title=True) == titled.text
