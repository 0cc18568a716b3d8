"""Bulk: crawl outputs (WARC, JSONL, folders of HTML) -> one row per page, on every core or Dask.

`records` and `warc` (inputs -> records) -> `pages` (a record -> a row: extract and score) ->
`sandbox` (killable worker processes) -> `engine` (one engine: parts per input, resume, the
local and Dask executors; `on_dask`) -> `parts`, `output`, `syndication`, `site_templates`,
`host_stats` (assembly) -> `writers` (JSONL, Parquet); `rows` holds the row schema and the
options; `cli` is the `score` command.
"""
