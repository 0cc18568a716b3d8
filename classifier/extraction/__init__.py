"""Extraction: HTML -> main text, in data-flow order.

`decode` (bytes -> text) -> `dom` and `walk` (parse and walk -> blocks) -> `metadata`,
`page_kinds`, `textstats`, `features` (the feature matrix) -> `trees`, `model` (the block model
file and its probabilities) -> `decision` (which blocks are kept) -> `layout` (the text);
`extract` runs them (`Extractor`, `extract()`, `clean()`); `document` holds the results;
`align` labels blocks from a gold text (training and the explain view); `compiled` says which
compiled twins (the walkers, the text and tree kernels) may run.
"""
