"""The Dask path: a LocalCluster of 2 worker processes gives the local run's rows."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest

from tests.classifier.bulk.helpers import fake_loader, fake_page, html, read_rows, write_jsonl, write_warc

pytest.importorskip("distributed")

from classifier.bulk.engine import run
from classifier.bulk.on_dask import run_dask, score_bag
from classifier.bulk.rows import BulkOptions, PageOptions

OPTIONS = BulkOptions(progress=False, resume=False, timeout=None, workers=2)


@pytest.fixture(scope="module")
def client():
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("dask")
    story = " ".join(f"word{i}" for i in range(400))
    write_warc(root / "a.warc.gz", [(f"http://a{i}.example/", html(i, f"<p>{story}</p>" if i < 3 else "")) for i in range(15)])
    write_warc(root / "b.warc.gz", [(f"http://b{i}.example/", html(50 + i, f"<p>{story}</p>" if i < 2 else "")) for i in range(10)])
    data = (root / "b.warc.gz").read_bytes()
    (root / "b.warc.gz").write_bytes(data[:-30])
    write_jsonl(root / "c.jsonl", [{"html": html(100 + i), "url": f"http://c{i}.example/"} for i in range(12)] + ["{oops"])
    (root / "pages").mkdir()
    for i in range(3):
        (root / "pages" / f"{i}.html").write_text(html(200 + i))
    return [str(root / "a.warc.gz"), str(root / "b.warc.gz"), str(root / "c.jsonl"), str(root / "pages")]


def test_dask_rows_equal_local_rows_and_model_loads_once_per_worker(client, inputs: list[str], tmp_path: Path) -> None:
    options = dataclasses.replace(OPTIONS, page=PageOptions(syndication=True))
    local = run(inputs, str(tmp_path / "local.jsonl"), options, page_fn=fake_page, model_loader=None)
    loads = tmp_path / "loads"
    loads.mkdir()
    remote = run_dask(
        inputs, str(tmp_path / "dask.jsonl"), options, client=client, page_fn=fake_page,
        model_loader=functools.partial(fake_loader, str(loads)),
    )
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert remote.records_read == local.records_read and remote.rows_written == local.rows_written
    assert remote.skipped == local.skipped and remote.reconciles and remote.exit_status == local.exit_status == 3
    assert 1 <= len(list(loads.iterdir())) <= 2  # once per worker process, not per input
    rows = read_rows(tmp_path / "dask.jsonl")
    assert {r["dup_domains"] for r in rows if r["host"] in ("a0.example", "b1.example")} == {5}


def test_dask_with_timeout_uses_a_sandbox_per_worker(client, tmp_path: Path) -> None:
    pages = [(f"http://t{i}.example/", html(i, "SLEEP" if i == 1 else "")) for i in range(4)]
    write_warc(tmp_path / "t.warc.gz", pages, extras=False)
    options = dataclasses.replace(OPTIONS, timeout=1.0)
    summary = run_dask([str(tmp_path / "t.warc.gz")], str(tmp_path / "o.jsonl"), options, client=client, page_fn=fake_page, model_loader=None)
    rows = read_rows(tmp_path / "o.jsonl")
    assert [r["error"] is not None for r in rows] == [False, True, False, False]
    assert rows[1]["error"].startswith("timeout") and not summary.notes


def test_score_bag_gives_the_same_rows(client, inputs: list[str], tmp_path: Path) -> None:
    run(inputs, str(tmp_path / "local.jsonl"), OPTIONS, page_fn=fake_page, model_loader=None)
    bag = score_bag(inputs, page_fn=fake_page, model_loader=None)
    assert bag.npartitions == 6  # one per input file (2 WARC, 1 JSONL, 3 HTML files)
    rows = client.compute(bag).result(timeout=60)  # a failing task must not hang the suite
    assert rows == read_rows(tmp_path / "local.jsonl")


def test_dask_counts_site_templates_over_the_whole_run(client, tmp_path: Path) -> None:
    """Pages of one site in one mould, spread over two inputs scored by different tasks: the
    count is the run's, as in a local run."""
    story = "There were {n} total arrests in {county} in 2019, according to figures the State Police published."
    counties = ["Fulton County", "Cook County", "Travis County", "Orange County", "Dane County", "Kings County"]
    pages = [html(i, f"<p>{story.format(n=100 + 7 * i, county=county)}</p>") for i, county in enumerate(counties)]
    write_jsonl(tmp_path / "one.jsonl", [{"html": page, "url": f"https://www.ledger.com/{i}"} for i, page in enumerate(pages[:3])])
    write_jsonl(tmp_path / "two.jsonl", [{"html": page, "url": f"https://data.ledger.com/{i}"} for i, page in enumerate(pages[3:])])
    inputs = [str(tmp_path / "one.jsonl"), str(tmp_path / "two.jsonl")]
    options = dataclasses.replace(OPTIONS, page=PageOptions(site_templates=True))
    run(inputs, str(tmp_path / "local.jsonl"), options, page_fn=fake_page, model_loader=None)
    run_dask(inputs, str(tmp_path / "dask.jsonl"), options, client=client, page_fn=fake_page, model_loader=None)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    rows = read_rows(tmp_path / "dask.jsonl")
    found = [[r for r in row["reasons"] if r["code"] == "template_across_pages"] for row in rows]
    assert len(rows) == 6 and all(len(f) == 1 and "6 pages of ledger.com" in f[0]["evidence"] for f in found)
