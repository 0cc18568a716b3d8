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

The numpy groups are the reference. A compiled kernel (`_features`, Cython, built by setup.py)
computes the same columns, all groups after `_PageArrays`, in a few passes over the blocks
instead of ~170 small numpy calls, when it is installed and built from the source beside this
file (`KERNEL`: its `Layout` of this module's columns and constants); it leaves the logarithms
to numpy, so the matrix is identical to the last bit (tests compare the two on generated pages
and on every page in data/). `PAGESIEVE_PURE_PYTHON` set: numpy alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np

from . import compiled
from .dom import FLAG_NAMES, HEADING_TAGS, KEYWORD_NAMES, BlockColumns, PageInfo, RawBlock
from .page_kinds import PAGE_KIND_NAMES
from .textstats import TextStatistics, statistics_and_tokens, token_hashes

FEATURE_VERSION = "2026.12.2"

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
_TAG_GROUP_INDEX = {name: i for i, (name, _) in enumerate(TAG_GROUPS)}
_TAG_OF, _TEXT_OF = attrgetter("tag"), attrgetter("text")

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
_SHARE_LEVELS = (1, 2, 3, 4, 6)  # `share_at_level_*`: the share of the container this many levels up
_RELATIVE_COLUMNS = (
    "char_share", "chars_over_max", "log_duplicates", "title_overlap", "structured_overlap",
    "in_title", "path_log_count", "path_char_share", "path_link_density", "path_mean_log_chars",
    "parent_char_share", "parent_link_density", "parent_log_blocks", "parent_mean_block_chars",
    "grandparent_char_share", "grandparent_link_density", "grandparent_log_blocks",
    "own_log_blocks", "row_log_cells", "distance_to_long_block", "long_blocks_before",
    "long_blocks_after",
    *(f"levels_to_share_{int(share * 100)}" for share in (0.1, 0.25, 0.5)),
    *(f"link_density_at_share_{int(share * 100)}" for share in (0.1, 0.25, 0.5)),
    *(f"share_at_level_{level}" for level in _SHARE_LEVELS),
    "chars_percentile", "log_chars_minus_median", "link_density_minus_mean",
    "parent_path_log_count", "parent_path_char_share", "parent_path_link_density",
    "grandparent_path_log_count", "grandparent_path_char_share",
)  # fmt: skip
# Cards, teaser lists and the main text cluster (`_card_columns`, `_cluster_columns`).
_CARD_COLUMNS = (
    "parent_log_anchors", "parent_log_targets", "parent_log_headings",
    "grandparent_log_anchors", "grandparent_log_targets", "grandparent_log_headings",
    "parent_path_heading_share", "grandparent_path_heading_share", "parent_path_linked_heading_share",
    "heading_before_link_density", "log_blocks_since_heading", "row_link_density", "row_mean_log_chars",
)  # fmt: skip
_CLUSTER_COLUMNS = (
    "in_cluster", "before_cluster", "after_cluster", "log_cluster_distance", "levels_to_cluster",
    "cluster_char_share", "cluster_link_density", "cluster_long_share",
)  # fmt: skip
_CARD_COUNTS = ("anchors", "targets", "headings")
# A "long paragraph" of the main text cluster: this many characters or more, mostly unlinked.
_CLUSTER_MIN_CHARS = 120
_CLUSTER_MAX_LINK_DENSITY = 0.3
# The story's container grows to the element above it when that holds this many times its
# long-paragraph characters (a story split in two by a photo or an advertisement).
_CLUSTER_GROWTH = 1.3
# ... while its other text grows at most this many times, plus this share of the paragraphs added.
_CLUSTER_OTHER_GROWTH = 2.0
_CLUSTER_ADDED_SHARE = 0.5
_MEAN_WORD_LENGTH_CAP = 30.0  # characters: a longer "word" is an address or a script without spaces
_LINE_CHARS = 80.0  # boilerpipe's text density: words per line when wrapped at this width
_DEPTH_CAP = 100.0
_ANCESTOR_SHARES = (0.1, 0.25, 0.5)
_ANCESTOR_LEVELS = 16
# A long block (`_long_block_columns`): this many characters or more, mostly unlinked.
_LONG_BLOCK_MIN_CHARS = 150
_LONG_BLOCK_MAX_LINK_DENSITY = 0.3
_LINKED_HEADING_DENSITY = 0.5  # a heading more linked than this is a teaser's headline
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
    *_CARD_COLUMNS,
    *_CLUSTER_COLUMNS,
    *(f"{name}@{offset:+d}" for offset in _CONTEXT_OFFSETS for name in _CONTEXT_BASE),
    *(f"{name}~{window}" for window in _WINDOWS for name in _WINDOW_BASE),
)
_COL = {name: i for i, name in enumerate(STAGE_ONE_NAMES)}
# The first column and number of columns of the flag bits, keyword bits (all, near).
_BIT_GROUPS = tuple(
    (_COL[f"{prefix}_{names[0]}"], len(names))
    for prefix, names in (("in", FLAG_NAMES), ("kw_all", KEYWORD_NAMES), ("kw_near", KEYWORD_NAMES))
)

KERNEL_SOURCES = ("_features.pyx",)  # what setup.py stamps the kernel with
_LOG_TABLE_SIZE = 1024  # whole numbers the kernel has logarithms of: 92% of the arguments on 300 WCXB pages


def _kernel() -> tuple[Any, Any] | None:
    """The compiled kernel and its `Layout` of this module's columns and constants, or None
    (`compiled.load`: not built, stale, or turned off)."""
    module = compiled.load("_features", KERNEL_SOURCES)
    if module is None:
        return None
    col = _COL
    return module, module.Layout(
        col,
        tags=(col["tag_p"], len(TAG_GROUPS)),
        bit_groups=_BIT_GROUPS,
        page_kinds=(col[PAGE_KIND_NAMES[0]], len(PAGE_KIND_NAMES)),
        article_bit=FLAG_NAMES.index("article"),
        main_bit=FLAG_NAMES.index("main"),
        li_tag=_TAG_GROUP_INDEX["li"],
        cell_tag=_TAG_GROUP_INDEX["cell"],
        linked_heading_density=_LINKED_HEADING_DENSITY,
        long_block=(_LONG_BLOCK_MIN_CHARS, _LONG_BLOCK_MAX_LINK_DENSITY),
        ancestor_levels=_ANCESTOR_LEVELS,
        ancestor_shares=[
            (share, col[f"levels_to_share_{int(share * 100)}"], col[f"link_density_at_share_{int(share * 100)}"])
            for share in _ANCESTOR_SHARES
        ],
        share_levels=[(level, col[f"share_at_level_{level}"]) for level in _SHARE_LEVELS],
        cluster=(_CLUSTER_MIN_CHARS, _CLUSTER_MAX_LINK_DENSITY, _CLUSTER_GROWTH, _CLUSTER_OTHER_GROWTH, _CLUSTER_ADDED_SHARE),
        text=(_MEAN_WORD_LENGTH_CAP, _LINE_CHARS),
        depth_cap=_DEPTH_CAP,
        context=(
            [col[name] for name in _CONTEXT_BASE],
            _CONTEXT_FILL.tolist(),
            [(offset, col[f"{_CONTEXT_BASE[0]}@{offset:+d}"]) for offset in _CONTEXT_OFFSETS],
        ),
        windows=([col[name] for name in _WINDOW_BASE], [(window, col[f"{_WINDOW_BASE[0]}~{window}"]) for window in _WINDOWS]),
        logarithms=_logarithms_of_small_numbers(),
    )


def _logarithms_of_small_numbers() -> tuple[np.ndarray, np.ndarray]:
    """np.log1p and np.log of 0 .. `_LOG_TABLE_SIZE` - 1, as the matrix holds them (float32):
    the kernel reads most logarithmic columns, those of counts, from them."""
    numbers = np.arange(_LOG_TABLE_SIZE, dtype=np.float64)
    with np.errstate(divide="ignore"):  # the log of 0, which the kernel never reads
        return np.log1p(numbers).astype(np.float32), np.log(numbers).astype(np.float32)


KERNEL = _kernel()  # chosen once at import, like a compiled pattern

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
    """For each row, the sum of `weights` over the rows that share its key (non-negative
    integers: numbers of paths, elements or rows, so at most a page's size)."""
    return np.bincount(keys, weights=weights)[keys]


def _members(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in `table` (non-empty), as `np.isin`, by a binary search in
    the sorted table (np.isin compares with each entry of a short table in turn)."""
    table = np.unique(table)
    return table[np.minimum(np.searchsorted(table, values), len(table) - 1)] == values


@dataclass(frozen=True, slots=True)
class PageFeatures:
    """The feature matrix of one page (`STAGE_ONE_NAMES` columns) and each block's tokens."""

    matrix: np.ndarray
    tokens: np.ndarray


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The page's tokens: each token's block, the count per block, the tokens' hashes."""

    block: np.ndarray
    counts: np.ndarray
    hashes: np.ndarray


@dataclass(frozen=True, slots=True)
class _PageArrays:
    """Each block's numbers (the walker's columns), text statistics and tokens, read once."""

    n: int
    texts: list[str]
    stats: TextStatistics
    tokens: _Tokens  # of the lower-cased texts
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
    def of(cls, blocks: Sequence[RawBlock], columns: BlockColumns) -> _PageArrays:
        n = len(blocks)
        if KERNEL is not None:
            texts, tag_index, heading = KERNEL[0].texts_and_tags(blocks, _TAG_INDEX, HEADING_TAGS)
        else:
            texts = list(map(_TEXT_OF, blocks))
            tags = list(map(_TAG_OF, blocks))
            tag_index = np.fromiter(map(_TAG_INDEX.get, tags, repeat(-1, n)), np.int64, n)
            heading = np.fromiter(map(HEADING_TAGS.__contains__, tags), np.float64, n)
        stats, tokens = statistics_and_tokens(texts)
        numbers = columns.numbers
        links, link_chars, depth = (numbers[:, k].astype(np.float64) for k in range(3))
        return cls(
            n=n,
            texts=texts,
            stats=stats,
            tokens=_Tokens(*tokens),
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
            tag_index=tag_index,
            heading=heading,
            path_ids=columns.path_ids,
            paths_seen=columns.path_keys,
        )


def block_features(
    blocks: Sequence[RawBlock],
    page: PageInfo,
    *,
    title: str = "",
    structured: str = "",
    page_kinds: Sequence[float] = (),
    columns: BlockColumns | None = None,
) -> PageFeatures:
    """The feature matrix of one page, one row per block, columns `STAGE_ONE_NAMES`, and the
    blocks' token counts (`columns`: the blocks' numbers as arrays, when the walker made them;
    read from the blocks when None)."""
    n = len(blocks)
    matrix = np.zeros((n, len(STAGE_ONE_NAMES)), dtype=np.float32)
    if n == 0:
        return PageFeatures(matrix, np.zeros(0))
    arrays = _PageArrays.of(blocks, columns if columns is not None else BlockColumns.of(blocks))
    structured_tokens = token_hashes(structured.lower())[1]
    tokens = arrays.tokens
    if KERNEL is not None:
        log_chars = np.log1p(arrays.chars)
        _compiled_overlap_columns(matrix, arrays, tokens, log_chars, title, structured_tokens)
        _compiled_columns(matrix, arrays, tokens, log_chars, page, page_kinds, has_structured_text=len(structured_tokens) > 0)
        return PageFeatures(matrix, tokens.counts)
    _text_columns(matrix, arrays)
    _position_columns(matrix, arrays)
    _tag_and_flag_columns(matrix, arrays)
    _page_columns(matrix, arrays, page_kinds, has_structured_text=len(structured_tokens) > 0)
    _overlap_columns(matrix, arrays, tokens, title, structured_tokens)
    _path_columns(matrix, arrays)
    elements = _Elements.of(page)
    _long_block_columns(matrix, arrays)
    _row_columns(matrix, arrays)
    if elements.count:
        chain = _Chain.of(arrays.own, elements.parent)
        _container_columns(matrix, arrays, elements, chain)
        _card_columns(matrix, arrays, elements, page)
        _cluster_columns(matrix, arrays, elements, chain)
    _heading_columns(matrix, arrays)
    _neighbour_columns(matrix)
    return PageFeatures(matrix, tokens.counts)


def _compiled_overlap_columns(
    matrix: np.ndarray, arrays: _PageArrays, tokens: _Tokens, log_chars: np.ndarray, title: str, structured_tokens: np.ndarray
) -> None:
    """The overlap columns by the kernel (`log_chars`: np.log1p of the blocks' characters);
    the logarithm of a duplicate count past its table by numpy, as `_overlap_columns` takes it."""
    assert KERNEL is not None
    module, layout = KERNEL
    title_lower = title.lower()
    mean_link_density = float(np.add.reduce(arrays.link_density)) / arrays.n  # np.mean's sum and division
    log_at, log_arguments = module.overlap(
        layout, matrix, arrays, tokens.block, tokens.hashes, tokens.counts, log_chars, mean_link_density,
        title_lower, token_hashes(title_lower)[1], structured_tokens,
    )  # fmt: skip
    if len(log_at):
        matrix.put(log_at, np.log(log_arguments))


def _compiled_columns(
    matrix: np.ndarray,
    arrays: _PageArrays,
    tokens: _Tokens,
    log_chars: np.ndarray,
    page: PageInfo,
    page_kinds: Sequence[float],
    *,
    has_structured_text: bool,
) -> None:
    """The columns of every group but the overlap columns, by the kernel; their logarithms by
    numpy, as the groups take them."""
    assert KERNEL is not None
    module, layout = KERNEL
    log1p_at, log1p_arguments, log_at, log_arguments = module.fill(
        layout, matrix, arrays, tokens.counts, log_chars, page, page_kinds, has_structured_text
    )
    if len(log1p_at):
        matrix.put(log1p_at, np.log1p(log1p_arguments))
    if len(log_at):
        matrix.put(log_at, np.log(log_arguments))


def _text_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """The block's own text and link statistics."""
    col = _COL
    stats, chars, words = arrays.stats, arrays.chars, arrays.words
    tokens = arrays.tokens
    safe_words = np.maximum(words, 1)
    matrix[:, col["log_chars"]] = np.log1p(chars)
    matrix[:, col["log_words"]] = np.log1p(words)
    matrix[:, col["log_tokens"]] = np.log1p(tokens.counts)
    matrix[:, col["mean_word_length"]] = np.minimum(chars / safe_words, _MEAN_WORD_LENGTH_CAP)
    matrix[:, col["link_density"]] = arrays.link_density
    matrix[:, col["log_links"]] = np.log1p(arrays.links)
    matrix[:, col["text_density"]] = words / np.maximum(np.ceil(chars / _LINE_CHARS), 1)
    matrix[:, col["log_sentence_ends"]] = np.log1p(stats.sentence_ends.astype(np.float64))
    matrix[:, col["ends_with_punctuation"]] = stats.ends_with_punctuation
    matrix[:, col["digit_share"]] = stats.digits / stats.sampled
    matrix[:, col["upper_share"]] = stats.upper / np.maximum(stats.alpha, 1)
    matrix[:, col["alpha_share"]] = stats.alpha / stats.sampled
    matrix[:, col["comma_per_word"]] = stats.commas / safe_words
    matrix[:, col["separator_share"]] = stats.separators / chars
    matrix[:, col["non_ascii_share"]] = stats.non_ascii / np.maximum(stats.alpha, 1)
    matrix[:, col["has_copyright"]] = stats.has_copyright
    matrix[:, col["date_like"]] = stats.date_like
    matrix[:, col["log_lines"]] = np.log1p((stats.newlines + 1).astype(np.float64))
    matrix[:, col["starts_lower"]] = stats.starts_lower


def _position_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """Where the block sits: its rank, its share of the text before it, its depth."""
    col, n, chars, depth = _COL, arrays.n, arrays.chars, arrays.depth
    index = np.arange(n)
    cumulative = np.cumsum(chars) - chars
    matrix[:, col["relative_index"]] = index / max(n - 1, 1)
    matrix[:, col["relative_char_position"]] = cumulative / arrays.total_chars
    matrix[:, col["depth"]] = np.minimum(depth, _DEPTH_CAP)
    matrix[:, col["relative_depth"]] = depth / max(depth.max(), 1)


def _tag_and_flag_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """The tag group, and one column per structural flag and keyword group bit."""
    col, tag_index = _COL, arrays.tag_index
    known = tag_index >= 0
    matrix[np.arange(arrays.n)[known], col["tag_p"] + tag_index[known]] = 1.0
    matrix[:, col["is_heading"]] = arrays.heading
    # One column per bit, for all the bits at once (the columns of a group are adjacent).
    for (first, count), values in zip(_BIT_GROUPS, (arrays.flags, arrays.keywords_all, arrays.keywords_near)):
        matrix[:, first : first + count] = (values[:, None] >> np.arange(count)) & 1


def _page_columns(
    matrix: np.ndarray, arrays: _PageArrays, page_kinds: Sequence[float], *, has_structured_text: bool
) -> None:
    """Page-wide columns, the same on every block: size, link density, landmarks, kind."""
    col, chars, flags, tag_index = _COL, arrays.chars, arrays.flags, arrays.tag_index
    total_chars = arrays.total_chars
    in_article = ((flags >> FLAG_NAMES.index("article")) & 1).astype(bool)
    in_main = ((flags >> FLAG_NAMES.index("main")) & 1).astype(bool)
    tag_li = (tag_index >= 0) & (tag_index == _TAG_GROUP_INDEX["li"])
    tag_cell = (tag_index >= 0) & (tag_index == _TAG_GROUP_INDEX["cell"])
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
        overlaps[:, 0] = np.bincount(tokens.block, _members(tokens.hashes, title_tokens), n)
    if len(tokens.hashes) and len(structured_tokens):
        overlaps[:, 1] = np.bincount(tokens.block, _members(tokens.hashes, structured_tokens), n)
    overlaps[:, :2] /= np.maximum(tokens.counts, 1)[:, None]
    if title_lower:  # a block of 8 characters or more that the title contains
        for i in np.flatnonzero((chars >= 8) & (chars <= len(title_lower))):
            overlaps[i, 2] = arrays.texts[i].lower() in title_lower
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
    parent_ids, grandparent_ids = _ancestor_path_ids(arrays)
    heading = arrays.heading
    for prefix, keys in (("parent_path", parent_ids), ("grandparent_path", grandparent_ids)):
        group_chars = _group_sums(keys, chars)
        group_count = np.bincount(keys)[keys]
        matrix[:, col[f"{prefix}_log_count"]] = np.log(group_count)
        matrix[:, col[f"{prefix}_char_share"]] = group_chars / total_chars
        # Teaser cards repeat a headline, a line of text and a link under one path.
        matrix[:, col[f"{prefix}_heading_share"]] = _group_sums(keys, heading) / group_count
        if prefix == "parent_path":
            matrix[:, col["parent_path_link_density"]] = _group_sums(keys, link_chars) / group_chars
            linked_heading = heading * (arrays.link_density > _LINKED_HEADING_DENSITY)
            matrix[:, col["parent_path_linked_heading_share"]] = _group_sums(keys, linked_heading) / group_count


@dataclass(frozen=True, slots=True)
class _Elements:
    """The subtree totals of the page's block-level elements (`dom.ElementTotals`) as arrays,
    read once: characters, link characters, blocks, anchors and headings, the enclosing
    element, and the range of blocks [first, last) each holds."""

    count: int
    chars: np.ndarray
    link_chars: np.ndarray
    blocks: np.ndarray
    anchors: np.ndarray
    headings: np.ndarray
    parent: np.ndarray
    first: np.ndarray
    last: np.ndarray

    @classmethod
    def of(cls, page: PageInfo) -> _Elements:
        totals = page.elements
        first = np.asarray(totals.first_block, dtype=np.int64)
        blocks = np.asarray(totals.blocks, dtype=np.int64)
        return cls(
            count=len(blocks),
            chars=np.asarray(totals.chars, dtype=np.float64),
            link_chars=np.asarray(totals.link_chars, dtype=np.float64),
            blocks=blocks.astype(np.float64),
            anchors=np.asarray(totals.anchors, dtype=np.float64),
            headings=np.asarray(totals.headings, dtype=np.float64),
            parent=np.asarray(totals.parent, dtype=np.int64),
            first=first,
            last=first + blocks,
        )


def _container_columns(matrix: np.ndarray, arrays: _PageArrays, elements: _Elements, chain: _Chain) -> None:
    """The block's parent and grandparent elements, its own element and the container chain
    (`_ancestor_features`)."""
    col, n, total_chars = _COL, arrays.n, arrays.total_chars
    for prefix, ids in (("parent", arrays.parent_element), ("grandparent", arrays.grandparent_element)):
        valid = ids >= 0
        ids = np.where(valid, ids, 0)
        container_chars = np.where(valid, elements.chars[ids], total_chars)
        container_links = np.where(valid, elements.link_chars[ids], arrays.link_chars.sum())
        container_blocks = np.where(valid, elements.blocks[ids], n)
        safe = np.maximum(container_chars, 1)
        matrix[:, col[f"{prefix}_char_share"]] = container_chars / total_chars
        matrix[:, col[f"{prefix}_link_density"]] = np.minimum(container_links / safe, 1)
        matrix[:, col[f"{prefix}_log_blocks"]] = np.log1p(container_blocks)
        if prefix == "parent":
            matrix[:, col["parent_mean_block_chars"]] = np.log1p(container_chars / np.maximum(container_blocks, 1))
    matrix[:, col["own_log_blocks"]] = np.log1p(elements.blocks[np.maximum(arrays.own, 0)])
    _ancestor_features(matrix, chain, elements.chars, elements.link_chars, total_chars)


def _row_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """The block's table row: its cells, their link density and mean length (a row of short
    linked cells is an old table layout's navigation bar)."""
    col, n, rows = _COL, arrays.n, arrays.rows
    in_row = rows >= 0
    if not in_row.any():
        return
    keys = rows[in_row]
    cells = _group_sums(keys, np.ones(len(keys)))
    row_chars = _group_sums(keys, arrays.chars[in_row])
    for name, values in (
        ("row_log_cells", np.log1p(cells)),
        ("row_link_density", np.minimum(_group_sums(keys, arrays.link_chars[in_row]) / row_chars, 1.0)),
        ("row_mean_log_chars", _group_sums(keys, np.log1p(arrays.chars[in_row])) / cells),
    ):
        column = np.zeros(n)
        column[in_row] = values
        matrix[:, col[name]] = column


def _long_block_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """Distance to the nearest long, unlinked block, and how many come before and after."""
    col, n = _COL, arrays.n
    index = np.arange(n)
    long_block = (arrays.chars >= _LONG_BLOCK_MIN_CHARS) & (arrays.link_density < _LONG_BLOCK_MAX_LINK_DENSITY)
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


def _card_columns(matrix: np.ndarray, arrays: _PageArrays, elements: _Elements, page: PageInfo) -> None:
    """Teaser cards and headline lists: the links, link targets and headings in the block's
    parent and grandparent elements."""
    col = _COL
    targets, page_targets = _element_link_targets(elements, page)
    page_values = (float(page.n_links), page_targets, float(arrays.heading.sum()))
    for prefix, ids in (("parent", arrays.parent_element), ("grandparent", arrays.grandparent_element)):
        valid = ids >= 0
        ids = np.maximum(ids, 0)
        for name, values, whole_page in zip(_CARD_COUNTS, (elements.anchors, targets, elements.headings), page_values):
            matrix[:, col[f"{prefix}_log_{name}"]] = np.log1p(np.where(valid, values[ids], whole_page))


def _heading_columns(matrix: np.ndarray, arrays: _PageArrays) -> None:
    """The heading the block follows: a story's paragraphs follow an unlinked heading or none;
    a teaser's text follows its linked headline."""
    col, n = _COL, arrays.n
    index = np.arange(n)
    last_heading = np.maximum.accumulate(np.where(arrays.heading > 0, index, -1))
    before = _shift(last_heading, -1, -1)  # the last heading strictly before the block
    found = before >= 0
    matrix[:, col["heading_before_link_density"]] = np.where(found, arrays.link_density[np.maximum(before, 0)], 0.0)
    matrix[:, col["log_blocks_since_heading"]] = np.log1p(np.where(found, index - before, index + 1))


def _element_link_targets(elements: _Elements, page: PageInfo) -> tuple[np.ndarray, float]:
    """For each element, the number of runs of links to one target in its subtree: a card's
    picture and headline linking to one story count once, a list of ten stories ten times;
    and the page's number of distinct targets."""
    if not page.link_targets:
        return np.zeros(elements.count), 0.0
    first, last = elements.first, elements.last
    ids, distinct = _first_occurrence_ids(page.link_targets)
    starts = np.ones(len(ids), dtype=np.int64)
    starts[1:] = ids[1:] != ids[:-1]
    runs = np.concatenate(([0], np.cumsum(starts)))
    link_blocks = np.asarray(page.link_blocks, dtype=np.int64)
    low = np.searchsorted(link_blocks, first, side="left")
    high = np.searchsorted(link_blocks, last, side="left")
    # A run cut by the subtree's first link starts there.
    counts = runs[high] - runs[low] + ((high > low) & (starts[np.minimum(low, len(ids) - 1)] == 0))
    return counts.astype(np.float64), float(len(distinct))


def _cluster_columns(matrix: np.ndarray, arrays: _PageArrays, elements: _Elements, chain: _Chain) -> None:
    """The block beside the page's main text cluster (`_main_cluster`): whether the block is
    inside it, before or after it, how many blocks away, how many levels up its container
    chain the cluster's container is reached; and the cluster's size and link density."""
    col, n = _COL, arrays.n
    index = np.arange(n)
    long_chars = np.where((arrays.chars >= _CLUSTER_MIN_CHARS) & (arrays.link_density < _CLUSTER_MAX_LINK_DENSITY), arrays.chars, 0.0)
    cumulative = np.concatenate(([0.0], np.cumsum(long_chars)))
    inside_long = cumulative[elements.last] - cumulative[elements.first]
    best = _main_cluster(arrays, elements, long_chars, inside_long)
    if best < 0:
        matrix[:, col["log_cluster_distance"]] = np.log1p(n)
        matrix[:, col["levels_to_cluster"]] = _ANCESTOR_LEVELS
        return
    first, last, element_chars = elements.first, elements.last, elements.chars
    start, end = int(first[best]), int(last[best])
    inside = (index >= start) & (index < end)
    before, after = index < start, index >= end
    matrix[:, col["in_cluster"]] = inside
    matrix[:, col["before_cluster"]] = before
    matrix[:, col["after_cluster"]] = after
    distance = np.where(before, start - index, np.where(after, index - end + 1, 0))
    matrix[:, col["log_cluster_distance"]] = np.log1p(distance)
    # Levels up to the first container whose blocks include the cluster's.
    holds = chain.alive & (first[chain.elements] <= start) & (last[chain.elements] >= end)
    reached = holds.any(axis=0)
    levels = np.where(reached, holds.argmax(axis=0), _ANCESTOR_LEVELS)
    matrix[:, col["levels_to_cluster"]] = np.where(inside, 0, levels)
    cluster_chars = max(element_chars[best], 1.0)
    matrix[:, col["cluster_char_share"]] = cluster_chars / arrays.total_chars
    matrix[:, col["cluster_link_density"]] = min(elements.link_chars[best] / cluster_chars, 1.0)
    matrix[:, col["cluster_long_share"]] = inside_long[best] / cumulative[-1]


def _main_cluster(arrays: _PageArrays, elements: _Elements, long_chars: np.ndarray, inside_long: np.ndarray) -> int:
    """The element that holds the page's story, or -1 when the page has no long paragraph.

    The story's paragraphs are siblings: the element whose own paragraphs (the long, unlinked
    blocks it directly encloses) hold the most characters is its container, as readability
    finds it, so a rail of teaser cards, one short paragraph per card, never wins over it. It
    grows to the element above while that adds more long paragraphs (`_CLUSTER_GROWTH` times
    as many) than other text: a story cut in two by a photo or an advertisement."""
    holder = np.where(long_chars > 0, arrays.parent_element, -1)
    held = holder >= 0
    own_long = np.bincount(holder[held], weights=long_chars[held], minlength=elements.count)
    if not len(own_long) or own_long.max() <= 0:
        return -1
    best = int(np.argmax(own_long))
    other = elements.chars - inside_long
    while (up := int(elements.parent[best])) >= 0:
        added = inside_long[up] - inside_long[best]
        too_few_paragraphs = inside_long[up] < _CLUSTER_GROWTH * inside_long[best]
        if too_few_paragraphs or other[up] > _CLUSTER_OTHER_GROWTH * other[best] + _CLUSTER_ADDED_SHARE * added:
            break
        best = up
    return best


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


def _ancestor_path_ids(arrays: _PageArrays) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of the blocks' paths without their last segment, and without their last
    two (by first appearance; computed once per path)."""
    parent_paths = [_without_last_segment(path) for path in arrays.paths_seen]
    parent_ids = _first_occurrence_ids(parent_paths)[0][arrays.path_ids]
    grandparent_ids = _first_occurrence_ids([_without_last_segment(path) for path in parent_paths])[0][arrays.path_ids]
    return parent_ids, grandparent_ids


def _without_last_segment(path: str) -> str:
    """"a>b>c" -> "a>b"; a path of one segment stays as it is."""
    cut = path.rfind(">")
    return path[:cut] if cut >= 0 else path


@dataclass(frozen=True, slots=True)
class _Chain:
    """Each block's container chain: `elements[level, block]` is its container `level` levels
    above its own element, while `alive[level, block]`; past the outermost one, the chain
    repeats it with `alive` False."""

    elements: np.ndarray
    alive: np.ndarray

    @classmethod
    def of(cls, own: np.ndarray, parent: np.ndarray) -> _Chain:
        n = len(own)
        elements = np.empty((_ANCESTOR_LEVELS, n), dtype=np.int64)
        alive = np.empty((_ANCESTOR_LEVELS, n), dtype=bool)
        current, living = np.maximum(own, 0), own >= 0
        for level in range(_ANCESTOR_LEVELS):
            elements[level], alive[level] = current, living
            up = parent[current]
            living = living & (up >= 0)
            current = np.where(up >= 0, up, current)
        return cls(elements, alive)


def _ancestor_features(
    matrix: np.ndarray, chain: _Chain, element_chars: np.ndarray, element_links: np.ndarray, total_chars: float
) -> None:
    """How far up a block's container chain a large share of the page's text is reached.

    Content blocks of a page (an article body, a grid of product cards) sit a few levels
    below a container that holds much of the page's text; navigation sits in small
    containers until the page's outermost wrappers.
    """
    col = _COL
    n = chain.elements.shape[1]
    share = element_chars / max(total_chars, 1.0)
    density = np.minimum(element_links / np.maximum(element_chars, 1), 1.0)
    # Past the outermost container a block's "container" is the whole page (share 1, link
    # density 0).
    shares = np.where(chain.alive, share[chain.elements], 1.0)
    densities = np.where(chain.alive, density[chain.elements], 0.0)
    columns = np.arange(n)
    for threshold in _ANCESTOR_SHARES:
        reached = shares >= threshold
        first = reached.argmax(axis=0)
        found = reached[first, columns]
        matrix[:, col[f"levels_to_share_{int(threshold * 100)}"]] = np.where(found, first, _ANCESTOR_LEVELS)
        matrix[:, col[f"link_density_at_share_{int(threshold * 100)}"]] = np.where(
            found, densities[first, columns], 1.0
        )
    for level in _SHARE_LEVELS:
        matrix[:, col[f"share_at_level_{level}"]] = shares[level]
