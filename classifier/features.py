"""Block features: `RawBlock`s of one page -> a numpy matrix with named columns.

Stage one (`block_features`) describes each block by itself (boilerpipe's and dragnet's text and
link statistics, tag, structural flags, class/id keyword groups), by its containers and the page
(shares of the page's text, repeated paths, page link density), by structured data (overlap with
JSON-LD / description text and the title), and by its neighbours (previous/next blocks and
windows). Nothing depends on an English stoplist: text statistics are character-class counts
that mean the same in any script.

Stage two (`context_features`) adds what the first model thinks of the block's neighbours,
containers and the page, for a second model that revises each verdict in context (jusText's
neighbour pass, learned).

Changing any column, its order or its meaning changes `FEATURE_VERSION`; a model trained on
another version refuses to load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter

import numpy as np

from .dom import FLAG_NAMES, HEADING_TAGS, KEYWORD_NAMES, PageInfo, RawBlock
from .metadata import PAGE_KIND_NAMES
from .textstats import block_tokens, blocks_matching, text_statistics, token_hashes

FEATURE_VERSION = "2026.11.7"

# r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b", written to open with a digit (the
# boundary checked behind it) so that `re` skips straight to digits: three times faster.
_DATE_LIKE = re.compile(r"\d(?<!\w\d)(?:\d{0,3}[./-]\d{1,2}[./-]\d{1,4}\b|(?<=1)9\d\d\b|(?<=2)0\d\d\b)")
_COPYRIGHT = re.compile(r"©|\(c\)|&copy;", re.IGNORECASE)

TAG_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("p", frozenset({"p"})),
    ("div", frozenset({"div", "section", "article", "main", "body", "html", "center"})),
    ("li", frozenset({"li", "dd", "dt", "dl", "ul", "ol", "menu", "dir"})),
    ("cell", frozenset({"td", "th", "tr", "table", "tbody", "thead", "tfoot", "caption"})),
    ("h1", frozenset({"h1"})),
    ("h2", frozenset({"h2"})),
    ("h3", frozenset({"h3", "h4", "h5", "h6", "hgroup"})),
    ("pre", frozenset({"pre", "listing", "plaintext", "xmp"})),
    ("blockquote", frozenset({"blockquote"})),
    ("figcaption", frozenset({"figcaption", "figure"})),
    ("control", frozenset({"button", "summary", "details", "option", "optgroup", "legend", "fieldset", "form", "output"})),
    ("landmark", frozenset({"nav", "header", "footer", "aside", "address", "search"})),
)  # fmt: skip
_TAG_INDEX = {tag: i for i, (_, tags) in enumerate(TAG_GROUPS) for tag in tags}
_NUMBER_FIELDS = (
    "n_links", "link_chars", "depth", "flags", "keywords_all", "keywords_near", "own_element",
    "parent_element", "grandparent_element", "row",
)  # fmt: skip
_NUMBERS_OF, _TAG_OF, _PATH_KEY_OF, _TEXT_OF = (
    attrgetter(*_NUMBER_FIELDS), attrgetter("tag"), attrgetter("path_key"), attrgetter("text")
)

_TEXT_COLUMNS = (
    "log_chars", "log_words", "log_tokens", "mean_word_length", "link_density", "log_links",
    "text_density", "log_sentence_ends", "ends_with_punctuation", "digit_share", "upper_share",
    "alpha_share", "comma_per_word", "separator_share", "non_ascii_share", "has_copyright",
    "date_like", "log_lines", "starts_lower",
)  # fmt: skip
_POSITION_COLUMNS = ("relative_index", "relative_char_position", "depth", "relative_depth")
_PAGE_COLUMNS = (
    "page_log_blocks", "page_log_chars", "page_link_density", "page_has_article",
    "page_has_main", "page_article_share", "page_main_share", "page_li_share",
    "page_cell_share", "page_log_max_block", "page_has_structured_text", *PAGE_KIND_NAMES,
)  # fmt: skip
_RELATIVE_COLUMNS = (
    "char_share", "chars_over_max", "log_duplicates", "title_overlap", "structured_overlap",
    "in_title", "path_log_count", "path_char_share", "path_link_density", "path_mean_log_chars",
    "parent_char_share", "parent_link_density", "parent_log_blocks", "parent_mean_block_chars",
    "grandparent_char_share", "grandparent_link_density", "grandparent_log_blocks",
    "own_log_blocks", "row_log_cells", "distance_to_long_block", "long_blocks_before",
    "long_blocks_after",
    *(f"levels_to_share_{int(share * 100)}" for share in (0.1, 0.25, 0.5)),
    *(f"link_density_at_share_{int(share * 100)}" for share in (0.1, 0.25, 0.5)),
    *(f"share_at_level_{level}" for level in (1, 2, 3, 4, 6)),
    "chars_percentile", "log_chars_minus_median", "link_density_minus_mean",
    "parent_path_log_count", "parent_path_char_share", "parent_path_link_density",
    "grandparent_path_log_count", "grandparent_path_char_share",
)  # fmt: skip
_ANCESTOR_SHARES = (0.1, 0.25, 0.5)
_ANCESTOR_LEVELS = 16
_CONTEXT_BASE = ("log_chars", "link_density", "ends_with_punctuation", "path_char_share")
_CONTEXT_OFFSETS = (-2, -1, 1, 2)
_CONTEXT_FILL = np.array([1.0 if name == "link_density" else 0.0 for name in _CONTEXT_BASE])
_WINDOW_BASE = ("log_chars", "link_density", "ends_with_punctuation")
_WINDOWS = (3, 10)

STAGE_ONE_NAMES: tuple[str, ...] = (
    *_TEXT_COLUMNS,
    *_POSITION_COLUMNS,
    *(f"tag_{name}" for name, _ in TAG_GROUPS),
    "is_heading",
    *(f"in_{name}" for name in FLAG_NAMES),
    *(f"kw_all_{name}" for name in KEYWORD_NAMES),
    *(f"kw_near_{name}" for name in KEYWORD_NAMES),
    *_PAGE_COLUMNS,
    *_RELATIVE_COLUMNS,
    *(f"{name}@{offset:+d}" for offset in _CONTEXT_OFFSETS for name in _CONTEXT_BASE),
    *(f"{name}~{window}" for window in _WINDOWS for name in _WINDOW_BASE),
)
_COL = {name: i for i, name in enumerate(STAGE_ONE_NAMES)}

_PROBABILITY_OFFSETS = (-3, -2, -1, 1, 2, 3)
_PROBABILITY_WINDOWS = (2, 5, 12)
KEY_NAMES = ("path_key", "parent_key", "grandparent_key")
STAGE_TWO_NAMES: tuple[str, ...] = (
    "p",
    *(f"p@{offset:+d}" for offset in _PROBABILITY_OFFSETS),
    *(f"p~{window}" for window in _PROBABILITY_WINDOWS),
    "p_path", "p_parent", "p_grandparent", "p_page_mean", "p_page_max", "p_page_content_share",
    "p_max_before", "p_max_after", "p_rank", "p_content_chars_before", "p_content_chars_after",
)  # fmt: skip


def _shift(values: np.ndarray, offset: int, fill: float | np.ndarray = 0.0) -> np.ndarray:
    """values[i + offset] (rows; each column of a matrix alike), with `fill` past either end."""
    out = np.empty_like(values)
    out[...] = fill
    if offset > 0:
        out[:-offset] = values[offset:]
    elif offset < 0:
        out[-offset:] = values[:offset]
    else:
        out[:] = values
    return out


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of values[i - radius : i + radius + 1] (rows; each column alike), clipped at the ends."""
    padded = np.concatenate((np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0, dtype=np.float64)))
    n = len(values)
    index = np.arange(n)
    low = np.maximum(index - radius, 0)
    high = np.minimum(index + radius + 1, n)
    if values.ndim > 1:
        return (padded[high] - padded[low]) / (high - low)[:, None]
    return (padded[high] - padded[low]) / (high - low)


def _group_sums(keys: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """For each row, the sum of `weights` over the rows that share its key."""
    _, inverse = np.unique(keys, return_inverse=True)
    return np.bincount(inverse, weights=weights)[inverse]


def block_features(
    blocks: Sequence[RawBlock],
    page: PageInfo,
    *,
    title: str = "",
    structured: str = "",
    page_kinds: Sequence[float] = (),
    paths: np.ndarray | None = None,
) -> np.ndarray:
    """The stage-one feature matrix, one row per block, columns `STAGE_ONE_NAMES` (`paths`:
    the blocks' `path_ids`, when the caller has them already)."""
    n = len(blocks)
    matrix = np.zeros((n, len(STAGE_ONE_NAMES)), dtype=np.float32)
    if n == 0:
        return matrix
    title_tokens = token_hashes(title.lower())[1]
    structured_tokens = token_hashes(structured.lower())[1]
    title_lower = title.lower()
    texts = list(map(_TEXT_OF, blocks))
    lowered = list(map(str.lower, texts))
    stats = text_statistics(texts)
    chars, words = stats.chars, stats.words
    token_block, token_counts, tokens = block_tokens(lowered)
    overlaps = np.zeros((n, 3))
    if len(tokens) and len(title_tokens):
        overlaps[:, 0] = np.bincount(token_block, np.isin(tokens, title_tokens), n)
    if len(tokens) and len(structured_tokens):
        overlaps[:, 1] = np.bincount(token_block, np.isin(tokens, structured_tokens), n)
    overlaps[:, :2] /= np.maximum(token_counts, 1)[:, None]
    if title_lower:  # a block of 8 characters or more that the title contains
        for i in np.flatnonzero((stats.chars >= 8) & (stats.chars <= len(title_lower))):
            overlaps[i, 2] = lowered[i] in title_lower
    # Per-block numbers read by C-level attribute getters; paths and texts as ids of their
    # first occurrence (blocks that share one share the id).
    numbers = np.array(list(map(_NUMBERS_OF, blocks)), dtype=np.int64).reshape(n, len(_NUMBER_FIELDS))
    links, link_chars, depth = (numbers[:, k].astype(np.float64) for k in range(3))
    flags, keywords_all, keywords_near = numbers[:, 3], numbers[:, 4], numbers[:, 5]
    own, parent_element, grandparent_element, rows = numbers[:, 6], numbers[:, 7], numbers[:, 8], numbers[:, 9]
    tags = list(map(_TAG_OF, blocks))
    tag_index = np.fromiter(map(_TAG_INDEX.get, tags, repeat(-1, n)), np.int64, n)
    heading = np.fromiter(map(HEADING_TAGS.__contains__, tags), np.float64, n)
    path_keys = list(map(_PATH_KEY_OF, blocks))
    if paths is None:
        path_ids, paths_seen = _first_occurrence_ids(path_keys)
    else:  # the same numbering: by first appearance
        path_ids, paths_seen = paths, list(dict.fromkeys(path_keys))
    text_ids, _ = _first_occurrence_ids(texts)
    # The same for paths without their last one and two segments, computed once per path.
    parent_paths = [_without_last_segment(path) for path in paths_seen]
    parent_path_ids = _first_occurrence_ids(parent_paths)[0][path_ids]
    grandparent_path_ids = _first_occurrence_ids([_without_last_segment(path) for path in parent_paths])[0][path_ids]
    text_stats = np.column_stack(
        (
            stats.sentence_ends, stats.ends_with_punctuation, stats.digits / stats.sampled,
            stats.upper / np.maximum(stats.alpha, 1), stats.alpha / stats.sampled, stats.commas,
            stats.separators / chars, stats.non_ascii / np.maximum(stats.alpha, 1),
            blocks_matching(_COPYRIGHT, stats), blocks_matching(_DATE_LIKE, stats),
            stats.newlines + 1, stats.starts_lower,
        )
    )  # fmt: skip

    col = _COL
    total_chars = chars.sum()
    safe_words = np.maximum(words, 1)
    link_density = np.minimum(link_chars / chars, 1.0)
    matrix[:, col["log_chars"]] = np.log1p(chars)
    matrix[:, col["log_words"]] = np.log1p(words)
    matrix[:, col["log_tokens"]] = np.log1p(token_counts)
    matrix[:, col["mean_word_length"]] = np.minimum(chars / safe_words, 30)
    matrix[:, col["link_density"]] = link_density
    matrix[:, col["log_links"]] = np.log1p(links)
    # boilerpipe's text density: words per line when wrapped at 80 characters.
    matrix[:, col["text_density"]] = words / np.maximum(np.ceil(chars / 80), 1)
    matrix[:, col["log_sentence_ends"]] = np.log1p(text_stats[:, 0])
    matrix[:, col["ends_with_punctuation"]] = text_stats[:, 1]
    matrix[:, col["digit_share"]] = text_stats[:, 2]
    matrix[:, col["upper_share"]] = text_stats[:, 3]
    matrix[:, col["alpha_share"]] = text_stats[:, 4]
    matrix[:, col["comma_per_word"]] = text_stats[:, 5] / safe_words
    matrix[:, col["separator_share"]] = text_stats[:, 6]
    matrix[:, col["non_ascii_share"]] = text_stats[:, 7]
    matrix[:, col["has_copyright"]] = text_stats[:, 8]
    matrix[:, col["date_like"]] = text_stats[:, 9]
    matrix[:, col["log_lines"]] = np.log1p(text_stats[:, 10])
    matrix[:, col["starts_lower"]] = text_stats[:, 11]

    index = np.arange(n)
    cumulative = np.cumsum(chars) - chars
    matrix[:, col["relative_index"]] = index / max(n - 1, 1)
    matrix[:, col["relative_char_position"]] = cumulative / total_chars
    matrix[:, col["depth"]] = np.minimum(depth, 100)
    matrix[:, col["relative_depth"]] = depth / max(depth.max(), 1)

    start = col["tag_p"]
    known = tag_index >= 0
    matrix[index[known], start + tag_index[known]] = 1.0
    matrix[:, col["is_heading"]] = heading
    # One column per bit, for all the bits at once (the columns of a group are adjacent).
    for first, values, count in (
        (f"in_{FLAG_NAMES[0]}", flags, len(FLAG_NAMES)),
        (f"kw_all_{KEYWORD_NAMES[0]}", keywords_all, len(KEYWORD_NAMES)),
        (f"kw_near_{KEYWORD_NAMES[0]}", keywords_near, len(KEYWORD_NAMES)),
    ):
        matrix[:, col[first] : col[first] + count] = (values[:, None] >> np.arange(count)) & 1

    in_article = ((flags >> FLAG_NAMES.index("article")) & 1).astype(bool)
    in_main = ((flags >> FLAG_NAMES.index("main")) & 1).astype(bool)
    tag_li = known & (tag_index == 2)
    tag_cell = known & (tag_index == 3)
    matrix[:, col["page_log_blocks"]] = np.log1p(n)
    matrix[:, col["page_log_chars"]] = np.log1p(total_chars)
    matrix[:, col["page_link_density"]] = link_chars.sum() / total_chars
    matrix[:, col["page_has_article"]] = in_article.any()
    matrix[:, col["page_has_main"]] = in_main.any()
    matrix[:, col["page_article_share"]] = chars[in_article].sum() / total_chars
    matrix[:, col["page_main_share"]] = chars[in_main].sum() / total_chars
    matrix[:, col["page_li_share"]] = chars[tag_li].sum() / total_chars
    matrix[:, col["page_cell_share"]] = chars[tag_cell].sum() / total_chars
    matrix[:, col["page_log_max_block"]] = np.log1p(chars.max())
    matrix[:, col["page_has_structured_text"]] = len(structured_tokens) > 0
    if page_kinds:
        start = col[PAGE_KIND_NAMES[0]]
        matrix[:, start : start + len(PAGE_KIND_NAMES)] = np.asarray(page_kinds, dtype=np.float32)

    matrix[:, col["char_share"]] = chars / total_chars
    log_chars = np.log1p(chars)
    matrix[:, col["chars_percentile"]] = np.argsort(np.argsort(chars, kind="stable")) / max(n - 1, 1)
    matrix[:, col["log_chars_minus_median"]] = log_chars - np.median(log_chars)
    matrix[:, col["link_density_minus_mean"]] = link_density - link_density.mean()
    matrix[:, col["chars_over_max"]] = chars / chars.max()
    matrix[:, col["log_duplicates"]] = np.log(np.bincount(text_ids)[text_ids])
    matrix[:, col["title_overlap"]] = overlaps[:, 0]
    matrix[:, col["structured_overlap"]] = overlaps[:, 1]
    matrix[:, col["in_title"]] = overlaps[:, 2]
    path_chars = _group_sums(path_ids, chars)
    matrix[:, col["path_log_count"]] = np.log(np.bincount(path_ids)[path_ids])
    matrix[:, col["path_char_share"]] = path_chars / total_chars
    matrix[:, col["path_link_density"]] = _group_sums(path_ids, link_chars) / path_chars
    matrix[:, col["path_mean_log_chars"]] = _group_sums(
        path_ids, np.log1p(chars)
    ) / np.bincount(path_ids)[path_ids]

    # Repeated structures one and two levels up (the cards of a product grid share them).
    for prefix, keys in (("parent_path", parent_path_ids), ("grandparent_path", grandparent_path_ids)):
        group_chars = _group_sums(keys, chars)
        matrix[:, col[f"{prefix}_log_count"]] = np.log(np.bincount(keys)[keys])
        matrix[:, col[f"{prefix}_char_share"]] = group_chars / total_chars
        if prefix == "parent_path":
            matrix[:, col["parent_path_link_density"]] = _group_sums(keys, link_chars) / group_chars

    element_chars = np.asarray(page.elements.chars, dtype=np.float64)
    element_links = np.asarray(page.elements.link_chars, dtype=np.float64)
    element_blocks = np.asarray(page.elements.blocks, dtype=np.float64)
    if len(element_chars):
        for prefix, ids in (("parent", parent_element), ("grandparent", grandparent_element)):
            valid = ids >= 0
            ids = np.where(valid, ids, 0)
            container_chars = np.where(valid, element_chars[ids], total_chars)
            container_links = np.where(valid, element_links[ids], link_chars.sum())
            container_blocks = np.where(valid, element_blocks[ids], n)
            safe = np.maximum(container_chars, 1)
            matrix[:, col[f"{prefix}_char_share"]] = container_chars / total_chars
            matrix[:, col[f"{prefix}_link_density"]] = np.minimum(container_links / safe, 1)
            matrix[:, col[f"{prefix}_log_blocks"]] = np.log1p(container_blocks)
            if prefix == "parent":
                matrix[:, col["parent_mean_block_chars"]] = np.log1p(
                    container_chars / np.maximum(container_blocks, 1)
                )
        matrix[:, col["own_log_blocks"]] = np.log1p(element_blocks[np.maximum(own, 0)])
        _ancestor_features(matrix, own, page, element_chars, element_links, total_chars)
    in_row = rows >= 0
    row_counts = np.zeros(n)
    if in_row.any():
        row_counts[in_row] = _group_sums(rows[in_row], np.ones(int(in_row.sum())))
    matrix[:, col["row_log_cells"]] = np.log1p(row_counts)

    long_block = (chars >= 150) & (link_density < 0.3)
    long_index = index[long_block]
    if len(long_index):
        position = np.searchsorted(long_index, index)
        before = long_index[np.maximum(position - 1, 0)]
        after = long_index[np.minimum(position, len(long_index) - 1)]
        distance = np.minimum(np.abs(index - before), np.abs(index - after))
        matrix[:, col["distance_to_long_block"]] = np.log1p(distance)
        counts = np.cumsum(long_block)
        matrix[:, col["long_blocks_before"]] = np.log1p(counts - long_block)
        matrix[:, col["long_blocks_after"]] = np.log1p(counts[-1] - counts)
    else:
        matrix[:, col["distance_to_long_block"]] = np.log1p(n)

    # Neighbours' and windows' columns, a group of adjacent columns per offset and per window.
    context = matrix[:, [col[name] for name in _CONTEXT_BASE]].astype(np.float64)
    for offset in _CONTEXT_OFFSETS:
        first = col[f"{_CONTEXT_BASE[0]}@{offset:+d}"]
        matrix[:, first : first + len(_CONTEXT_BASE)] = _shift(context, offset, _CONTEXT_FILL)
    windowed = matrix[:, [col[name] for name in _WINDOW_BASE]].astype(np.float64)
    for window in _WINDOWS:
        first = col[f"{_WINDOW_BASE[0]}~{window}"]
        matrix[:, first : first + len(_WINDOW_BASE)] = _window_mean(windowed, window)
    return matrix


def _first_occurrence_ids(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """For each value, the number of the first distinct value equal to it; and the distinct
    values in order."""
    distinct = list(dict.fromkeys(values))
    number = {value: i for i, value in enumerate(distinct)}
    return np.fromiter(map(number.__getitem__, values), np.int64, len(values)), distinct


def _without_last_segment(path: str) -> str:
    """"a>b>c" -> "a>b"; a path of one segment stays as it is."""
    cut = path.rfind(">")
    return path[:cut] if cut >= 0 else path


def path_ids(blocks: Sequence[RawBlock]) -> np.ndarray:
    """A number per distinct DOM path of one page (its `path_key`: numbered items share one),
    in order of first appearance."""
    lookup: dict[str, int] = {}
    return np.fromiter((lookup.setdefault(block.path_key, len(lookup)) for block in blocks), np.int64, len(blocks))


def structural_keys(blocks: Sequence[RawBlock]) -> np.ndarray:
    """Per block: ids of its DOM path, parent element and grandparent element (`KEY_NAMES`)."""
    keys = np.empty((len(blocks), len(KEY_NAMES)), dtype=np.float32)
    keys[:, 0] = path_ids(blocks)
    keys[:, 1] = [block.parent_element for block in blocks]
    keys[:, 2] = [block.grandparent_element for block in blocks]
    return keys


def _ancestor_features(
    matrix: np.ndarray,
    own: np.ndarray,
    page: PageInfo,
    element_chars: np.ndarray,
    element_links: np.ndarray,
    total_chars: float,
) -> None:
    """How far up a block's container chain a large share of the page's text is reached.

    Content blocks of a page (an article body, a grid of product cards) sit a few levels
    below a container that holds much of the page's text; navigation sits in small
    containers until the page's outermost wrappers.
    """
    col = _COL
    n = len(own)
    parent = np.asarray(page.elements.parent, dtype=np.int64)
    share = element_chars / max(total_chars, 1.0)
    density = np.minimum(element_links / np.maximum(element_chars, 1), 1.0)
    # The chain of containers, one row per level up; past the outermost one a block's
    # "container" is the whole page (share 1, link density 0).
    chain = np.empty((_ANCESTOR_LEVELS, n), dtype=np.int64)
    alive = np.empty((_ANCESTOR_LEVELS, n), dtype=bool)
    current, living = np.maximum(own, 0), own >= 0
    for level in range(_ANCESTOR_LEVELS):
        chain[level], alive[level] = current, living
        up = parent[current]
        living = living & (up >= 0)
        current = np.where(up >= 0, up, current)
    shares = np.where(alive, share[chain], 1.0)
    densities = np.where(alive, density[chain], 0.0)
    columns = np.arange(n)
    for threshold in _ANCESTOR_SHARES:
        reached = shares >= threshold
        first = reached.argmax(axis=0)
        found = reached[first, columns]
        matrix[:, col[f"levels_to_share_{int(threshold * 100)}"]] = np.where(found, first, _ANCESTOR_LEVELS)
        matrix[:, col[f"link_density_at_share_{int(threshold * 100)}"]] = np.where(
            found, densities[first, columns], 1.0
        )
    for level in (1, 2, 3, 4, 6):
        matrix[:, col[f"share_at_level_{level}"]] = shares[level]


def context_features(stage_one: np.ndarray, probability: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Stage-two columns (`STAGE_TWO_NAMES`) of one page from its stage-one probabilities.

    `keys` are the page's `structural_keys`, which group blocks by path and container.
    """
    n = len(probability)
    out = np.zeros((n, len(STAGE_TWO_NAMES)), dtype=np.float32)
    if n == 0:
        return out
    p = probability.astype(np.float64)
    chars = np.expm1(stage_one[:, _COL["log_chars"]].astype(np.float64))
    out[:, 0] = p
    column = 1
    for offset in _PROBABILITY_OFFSETS:
        out[:, column] = _shift(p, offset, 0.0)
        column += 1
    for window in _PROBABILITY_WINDOWS:
        out[:, column] = _window_mean(p, window)
        column += 1
    weighted = p * chars
    for key in range(keys.shape[1]):
        group = keys[:, key].astype(np.int64)
        out[:, column] = _group_sums(group, weighted) / np.maximum(_group_sums(group, chars), 1)
        column += 1
    total = max(chars.sum(), 1.0)
    content = p >= 0.5
    out[:, column] = weighted.sum() / total
    out[:, column + 1] = p.max()
    out[:, column + 2] = chars[content].sum() / total
    out[:, column + 3] = _shift(np.maximum.accumulate(p), -1, 0.0)
    out[:, column + 4] = _shift(np.maximum.accumulate(p[::-1])[::-1], 1, 0.0)
    out[:, column + 5] = np.argsort(np.argsort(-p, kind="stable"), kind="stable") / max(n - 1, 1)
    content_chars = np.cumsum(np.where(content, chars, 0.0))
    out[:, column + 6] = (content_chars - np.where(content, chars, 0.0)) / total
    out[:, column + 7] = (content_chars[-1] - content_chars) / total
    return out
