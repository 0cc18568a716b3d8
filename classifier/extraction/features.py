"""Block features: the `RawBlock`s of one page -> a numpy matrix with named columns.

Each block is described by itself (boilerpipe's and dragnet's text and link statistics, tag,
structural flags, class/id keyword groups), by its containers and the page (shares of the
page's text, repeated paths, page link density, the kind of page it says it is), by structured
data (overlap with JSON-LD / description text and the title), and by its neighbours
(previous/next blocks and windows). Nothing depends on an English stoplist: text statistics are
character-class counts that mean the same in any script.

`block_features` computes the columns in groups, one function per group, over the arrays of
`_PageArrays` (each block's numbers, read once). Changing any column, its order or its meaning
changes `FEATURE_VERSION`; a model trained on another version refuses to load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter

import numpy as np

from .dom import FLAG_NAMES, HEADING_TAGS, KEYWORD_NAMES, PageInfo, RawBlock
from .page_kinds import PAGE_KIND_NAMES
from .textstats import TextStatistics, block_tokens, blocks_matching, text_statistics, token_hashes

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


@dataclass(frozen=True, slots=True)
class PageFeatures:
    """The feature matrix of one page (`STAGE_ONE_NAMES` columns) and each block's tokens."""

    matrix: np.ndarray
    tokens: np.ndarray


@dataclass(frozen=True, slots=True)
class _PageArrays:
    """Each block's numbers, read once from the blocks and their texts."""

    n: int
    texts: list[str]
    lowered: list[str]
    stats: TextStatistics
    chars: np.ndarray
    words: np.ndarray
    links: np.ndarray
    link_chars: np.ndarray
    link_density: np.ndarray
    depth: np.ndarray
    flags: np.ndarray
    keywords_all: np.ndarray
    keywords_near: np.ndarray
    own: np.ndarray
    parent_element: np.ndarray
    grandparent_element: np.ndarray
    rows: np.ndarray
    tag_index: np.ndarray
    heading: np.ndarray
    path_ids: np.ndarray
    paths_seen: list[str]

    @property
    def total_chars(self) -> float:
        return float(self.chars.sum())

    @classmethod
    def of(cls, blocks: Sequence[RawBlock], paths: np.ndarray | None) -> _PageArrays:
        n = len(blocks)
        texts = list(map(_TEXT_OF, blocks))
        stats = text_statistics(texts)
        # Per-block numbers read by C-level attribute getters.
        numbers = np.array(list(map(_NUMBERS_OF, blocks)), dtype=np.int64).reshape(n, len(_NUMBER_FIELDS))
        links, link_chars, depth = (numbers[:, k].astype(np.float64) for k in range(3))
        tags = list(map(_TAG_OF, blocks))
        path_keys = list(map(_PATH_KEY_OF, blocks))
        if paths is None:
            path_numbers, paths_seen = _first_occurrence_ids(path_keys)
        else:  # the same numbering: by first appearance
            path_numbers, paths_seen = paths, list(dict.fromkeys(path_keys))
        return cls(
            n=n,
            texts=texts,
            lowered=list(map(str.lower, texts)),
            stats=stats,
            chars=stats.chars,
            words=stats.words,
            links=links,
            link_chars=link_chars,
            link_density=np.minimum(link_chars / stats.chars, 1.0),
            depth=depth,
            flags=numbers[:, 3],
            keywords_all=numbers[:, 4],
            keywords_near=numbers[:, 5],
            own=numbers[:, 6],
            parent_element=numbers[:, 7],
            grandparent_element=numbers[:, 8],
            rows=numbers[:, 9],
            tag_index=np.fromiter(map(_TAG_INDEX.get, tags, repeat(-1, n)), np.int64, n),
            heading=np.fromiter(map(HEADING_TAGS.__contains__, tags), np.float64, n),
            path_ids=path_numbers,
            paths_seen=paths_seen,
        )


def block_features(
    blocks: Sequence[RawBlock],
    page: PageInfo,
    *,
    title: str = "",
    structured: str = "",
    page_kinds: Sequence[float] = (),
    paths: np.ndarray | None = None,
) -> PageFeatures:
    """The feature matrix of one page, one row per block, columns `STAGE_ONE_NAMES`, and the
    blocks' token counts (`paths`: the blocks' `path_ids`, when the caller has them already)."""
    n = len(blocks)
    matrix = np.zeros((n, len(STAGE_ONE_NAMES)), dtype=np.float32)
    if n == 0:
        return PageFeatures(matrix, np.zeros(0))
    arrays = _PageArrays.of(blocks, paths)
    tokens = _text_columns(matrix, arrays)
    _position_columns(matrix, arrays)
    _tag_and_flag_columns(matrix, arrays)
    structured_tokens = token_hashes(structured.lower())[1]
    _page_columns(matrix, arrays, page_kinds, has_structured_text=len(structured_tokens) > 0)
    _overlap_columns(matrix, arrays, tokens, title, structured_tokens)
    _path_columns(matrix, arrays)
    _container_columns(matrix, arrays, page)
    _long_block_columns(matrix, arrays)
    _neighbour_columns(matrix)
    return PageFeatures(matrix, tokens.counts)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The page's tokens: each token's block, the count per block, the tokens' hashes."""

    block: np.ndarray
    counts: np.ndarray
    hashes: np.ndarray


def _text_columns(matrix: np.ndarray, arrays: _PageArrays) -> _Tokens:
    """The block's own text and link statistics; returns its tokens."""
    col = _COL
    stats, chars, words = arrays.stats, arrays.chars, arrays.words
    tokens = _Tokens(*block_tokens(arrays.lowered))
    safe_words = np.maximum(words, 1)
    matrix[:, col["log_chars"]] = np.log1p(chars)
    matrix[:, col["log_words"]] = np.log1p(words)
    matrix[:, col["log_tokens"]] = np.log1p(tokens.counts)
    matrix[:, col["mean_word_length"]] = np.minimum(chars / safe_words, 30)
    matrix[:, col["link_density"]] = arrays.link_density
    matrix[:, col["log_links"]] = np.log1p(arrays.links)
    # boilerpipe's text density: words per line when wrapped at 80 characters.
    matrix[:, col["text_density"]] = words / np.maximum(np.ceil(chars / 80), 1)
    matrix[:, col["log_sentence_ends"]] = np.log1p(stats.sentence_ends.astype(np.float64))
    matrix[:, col["ends_with_punctuation"]] = stats.ends_with_punctuation
    matrix[:, col["digit_share"]] = stats.digits / stats.sampled
    matrix[:, col["upper_share"]] = stats.upper / np.maximum(stats.alpha, 1)
    matrix[:, col["alpha_share"]] = stats.alpha / stats.sampled
    matrix[:, col["comma_per_word"]] = stats.commas / safe_words
    matrix[:, col["separator_share"]] = stats.separators / chars
    matrix[:, col["non_ascii_share"]] = stats.non_ascii / np.maximum(stats.alpha, 1)
    matrix[:, col["has_copyright"]] = blocks_matching(_COPYRIGHT, stats)
    matrix[:, col["date_like"]] = blocks_matching(_DATE_LIKE, stats)
    matrix[:, col["log_lines"]] = np.log1p((stats.newlines + 1).astype(np.float64))
    matrix[:, col["starts_lower"]] = stats.starts_lower
    return tokens


def _position_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """Where the block sits: its rank, its share of the text before it, its depth."""
    col, n, chars, depth = _COL, arrays.n, arrays.chars, arrays.depth
    index = np.arange(n)
    cumulative = np.cumsum(chars) - chars
    matrix[:, col["relative_index"]] = index / max(n - 1, 1)
    matrix[:, col["relative_char_position"]] = cumulative / arrays.total_chars
    matrix[:, col["depth"]] = np.minimum(depth, 100)
    matrix[:, col["relative_depth"]] = depth / max(depth.max(), 1)


def _tag_and_flag_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """The tag group, and one column per structural flag and keyword group bit."""
    col, tag_index = _COL, arrays.tag_index
    known = tag_index >= 0
    matrix[np.arange(arrays.n)[known], col["tag_p"] + tag_index[known]] = 1.0
    matrix[:, col["is_heading"]] = arrays.heading
    # One column per bit, for all the bits at once (the columns of a group are adjacent).
    for first, values, count in (
        (f"in_{FLAG_NAMES[0]}", arrays.flags, len(FLAG_NAMES)),
        (f"kw_all_{KEYWORD_NAMES[0]}", arrays.keywords_all, len(KEYWORD_NAMES)),
        (f"kw_near_{KEYWORD_NAMES[0]}", arrays.keywords_near, len(KEYWORD_NAMES)),
    ):
        matrix[:, col[first] : col[first] + count] = (values[:, None] >> np.arange(count)) & 1


def _page_columns(
    matrix: np.ndarray, arrays: _PageArrays, page_kinds: Sequence[float], *, has_structured_text: bool
) -> None:
    """Page-wide columns, the same on every block: size, link density, landmarks, kind."""
    col, chars, flags, tag_index = _COL, arrays.chars, arrays.flags, arrays.tag_index
    total_chars = arrays.total_chars
    in_article = ((flags >> FLAG_NAMES.index("article")) & 1).astype(bool)
    in_main = ((flags >> FLAG_NAMES.index("main")) & 1).astype(bool)
    tag_li = (tag_index >= 0) & (tag_index == 2)
    tag_cell = (tag_index >= 0) & (tag_index == 3)
    matrix[:, col["page_log_blocks"]] = np.log1p(arrays.n)
    matrix[:, col["page_log_chars"]] = np.log1p(total_chars)
    matrix[:, col["page_link_density"]] = arrays.link_chars.sum() / total_chars
    matrix[:, col["page_has_article"]] = in_article.any()
    matrix[:, col["page_has_main"]] = in_main.any()
    matrix[:, col["page_article_share"]] = chars[in_article].sum() / total_chars
    matrix[:, col["page_main_share"]] = chars[in_main].sum() / total_chars
    matrix[:, col["page_li_share"]] = chars[tag_li].sum() / total_chars
    matrix[:, col["page_cell_share"]] = chars[tag_cell].sum() / total_chars
    matrix[:, col["page_log_max_block"]] = np.log1p(chars.max())
    matrix[:, col["page_has_structured_text"]] = has_structured_text
    if page_kinds:
        start = col[PAGE_KIND_NAMES[0]]
        matrix[:, start : start + len(PAGE_KIND_NAMES)] = np.asarray(page_kinds, dtype=np.float32)


def _overlap_columns(
    matrix: np.ndarray, arrays: _PageArrays, tokens: _Tokens, title: str, structured_tokens: np.ndarray
) -> None:
    """The block beside the rest of the page: its share and rank of the text, its repeats,
    and its overlap with the title and the page's structured description of itself."""
    col, n, chars = _COL, arrays.n, arrays.chars
    title_lower = title.lower()
    title_tokens = token_hashes(title_lower)[1]
    overlaps = np.zeros((n, 3))
    if len(tokens.hashes) and len(title_tokens):
        overlaps[:, 0] = np.bincount(tokens.block, np.isin(tokens.hashes, title_tokens), n)
    if len(tokens.hashes) and len(structured_tokens):
        overlaps[:, 1] = np.bincount(tokens.block, np.isin(tokens.hashes, structured_tokens), n)
    overlaps[:, :2] /= np.maximum(tokens.counts, 1)[:, None]
    if title_lower:  # a block of 8 characters or more that the title contains
        for i in np.flatnonzero((chars >= 8) & (chars <= len(title_lower))):
            overlaps[i, 2] = arrays.lowered[i] in title_lower
    text_ids, _ = _first_occurrence_ids(arrays.texts)
    log_chars = np.log1p(chars)
    matrix[:, col["char_share"]] = chars / arrays.total_chars
    matrix[:, col["chars_percentile"]] = np.argsort(np.argsort(chars, kind="stable")) / max(n - 1, 1)
    matrix[:, col["log_chars_minus_median"]] = log_chars - np.median(log_chars)
    matrix[:, col["link_density_minus_mean"]] = arrays.link_density - arrays.link_density.mean()
    matrix[:, col["chars_over_max"]] = chars / chars.max()
    matrix[:, col["log_duplicates"]] = np.log(np.bincount(text_ids)[text_ids])
    matrix[:, col["title_overlap"]] = overlaps[:, 0]
    matrix[:, col["structured_overlap"]] = overlaps[:, 1]
    matrix[:, col["in_title"]] = overlaps[:, 2]


def _path_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """Blocks that share the block's DOM path, and its path one and two levels up (the
    cards of a product grid share them)."""
    col, chars, link_chars, path_numbers = _COL, arrays.chars, arrays.link_chars, arrays.path_ids
    total_chars = arrays.total_chars
    path_chars = _group_sums(path_numbers, chars)
    matrix[:, col["path_log_count"]] = np.log(np.bincount(path_numbers)[path_numbers])
    matrix[:, col["path_char_share"]] = path_chars / total_chars
    matrix[:, col["path_link_density"]] = _group_sums(path_numbers, link_chars) / path_chars
    matrix[:, col["path_mean_log_chars"]] = _group_sums(path_numbers, np.log1p(chars)) / np.bincount(path_numbers)[path_numbers]
    # The paths without their last one and two segments, computed once per path.
    parent_paths = [_without_last_segment(path) for path in arrays.paths_seen]
    parent_ids = _first_occurrence_ids(parent_paths)[0][path_numbers]
    grandparent_ids = _first_occurrence_ids([_without_last_segment(path) for path in parent_paths])[0][path_numbers]
    for prefix, keys in (("parent_path", parent_ids), ("grandparent_path", grandparent_ids)):
        group_chars = _group_sums(keys, chars)
        matrix[:, col[f"{prefix}_log_count"]] = np.log(np.bincount(keys)[keys])
        matrix[:, col[f"{prefix}_char_share"]] = group_chars / total_chars
        if prefix == "parent_path":
            matrix[:, col["parent_path_link_density"]] = _group_sums(keys, link_chars) / group_chars


def _container_columns(matrix: np.ndarray, arrays: _PageArrays, page: PageInfo) -> None:
    """The block's parent and grandparent elements, its own element, the container chain
    (`_ancestor_features`) and its table row."""
    col, n, total_chars = _COL, arrays.n, arrays.total_chars
    element_chars = np.asarray(page.elements.chars, dtype=np.float64)
    element_links = np.asarray(page.elements.link_chars, dtype=np.float64)
    element_blocks = np.asarray(page.elements.blocks, dtype=np.float64)
    if len(element_chars):
        for prefix, ids in (("parent", arrays.parent_element), ("grandparent", arrays.grandparent_element)):
            valid = ids >= 0
            ids = np.where(valid, ids, 0)
            container_chars = np.where(valid, element_chars[ids], total_chars)
            container_links = np.where(valid, element_links[ids], arrays.link_chars.sum())
            container_blocks = np.where(valid, element_blocks[ids], n)
            safe = np.maximum(container_chars, 1)
            matrix[:, col[f"{prefix}_char_share"]] = container_chars / total_chars
            matrix[:, col[f"{prefix}_link_density"]] = np.minimum(container_links / safe, 1)
            matrix[:, col[f"{prefix}_log_blocks"]] = np.log1p(container_blocks)
            if prefix == "parent":
                matrix[:, col["parent_mean_block_chars"]] = np.log1p(container_chars / np.maximum(container_blocks, 1))
        matrix[:, col["own_log_blocks"]] = np.log1p(element_blocks[np.maximum(arrays.own, 0)])
        _ancestor_features(matrix, arrays.own, page, element_chars, element_links, total_chars)
    rows = arrays.rows
    in_row = rows >= 0
    row_counts = np.zeros(n)
    if in_row.any():
        row_counts[in_row] = _group_sums(rows[in_row], np.ones(int(in_row.sum())))
    matrix[:, col["row_log_cells"]] = np.log1p(row_counts)


def _long_block_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """Distance to the nearest long, unlinked block, and how many come before and after."""
    col, n = _COL, arrays.n
    index = np.arange(n)
    long_block = (arrays.chars >= 150) & (arrays.link_density < 0.3)
    long_index = index[long_block]
    if not len(long_index):
        matrix[:, col["distance_to_long_block"]] = np.log1p(n)
        return
    position = np.searchsorted(long_index, index)
    before = long_index[np.maximum(position - 1, 0)]
    after = long_index[np.minimum(position, len(long_index) - 1)]
    distance = np.minimum(np.abs(index - before), np.abs(index - after))
    matrix[:, col["distance_to_long_block"]] = np.log1p(distance)
    counts = np.cumsum(long_block)
    matrix[:, col["long_blocks_before"]] = np.log1p(counts - long_block)
    matrix[:, col["long_blocks_after"]] = np.log1p(counts[-1] - counts)


def _neighbour_columns(matrix: np.ndarray) -> None:
    """Columns of the blocks before and after, and their means over windows, a group of
    adjacent columns per offset and per window."""
    col = _COL
    context = matrix[:, [col[name] for name in _CONTEXT_BASE]].astype(np.float64)
    for offset in _CONTEXT_OFFSETS:
        first = col[f"{_CONTEXT_BASE[0]}@{offset:+d}"]
        matrix[:, first : first + len(_CONTEXT_BASE)] = _shift(context, offset, _CONTEXT_FILL)
    windowed = matrix[:, [col[name] for name in _WINDOW_BASE]].astype(np.float64)
    for window in _WINDOWS:
        first = col[f"{_WINDOW_BASE[0]}~{window}"]
        matrix[:, first : first + len(_WINDOW_BASE)] = _window_mean(windowed, window)


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
