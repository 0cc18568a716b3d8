"""`Extractor`, `extract()` and `clean()`: HTML -> blocks -> probabilities -> main text.

The stages, in order: decode (`decode`), parse and walk (`walk`), page metadata (`metadata`),
block features (`features`), the model's probabilities (`model`), the per-page decision
(`decision`), the blocks' roles when they are asked for (`roles`) and the text layout
(`layout`). An `Extractor` holds a loaded model and the
walker's attribute facts: make one and reuse it for many pages. `extract()` and `clean()` use
the default extractor: the model `$CLASSIFIER_MODEL` names, else the shipped one, loaded when
first needed and kept while that variable names the same file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .decision import Favor, check_decision, choose_cut, decide
from .decode import decode_page, looks_binary
from .document import Analysis, Block, Document, Metadata
from .features import block_features
from .layout import assemble
from .metadata import display_title, page_title, parse_json_ld, read_metadata, structured_text
from .model import LoadedModel, default_model_path, load_model
from .page_kinds import page_kind_cues
from .roles import Inclusions
from .walk import AttributeFacts, blocks_and_columns_from_html

ModelArgument = LoadedModel | str | os.PathLike[str] | None


def to_page(html: str | bytes, http_charset: str | None = None) -> tuple[str, bytes | None]:
    """Check the input type and decode bytes (with the HTTP header's charset, when known);
    the one door every public function uses. What is not a text document (a PDF, an image,
    random bytes: `decode.looks_binary`) becomes "", a page with nothing in it. Also the
    text's UTF-8 bytes when they are the page's own (`decode.decode_page`), else None."""
    if isinstance(html, str):
        text, utf8 = html, None
    elif isinstance(html, (bytes, bytearray, memoryview)):
        text, utf8 = decode_page(bytes(html), http_charset)
    else:
        raise TypeError(f"expected HTML as str or bytes, got {type(html).__name__}")
    return ("", None) if looks_binary(text) else (text, utf8)


class Analyser:
    """Decodes, parses and walks pages and computes their features: everything before the
    model. It keeps what the walker learns about class and id values between pages (bounded;
    the output never depends on it), so one analyser for many pages is faster than one each."""

    def __init__(self) -> None:
        self.facts = AttributeFacts()

    def analyse(
        self, html: str | bytes, url: str | None = None, *, http_charset: str | None = None, metadata: bool = True
    ) -> Analysis:
        """Decode, parse, walk and compute the features of one page (no model). `metadata`
        False leaves the page's metadata unread (`Metadata(url=url)`), for a caller that needs
        only the text (`Extractor.clean`)."""
        text, utf8 = to_page(html, http_charset)
        if url is not None and not isinstance(url, str):
            raise TypeError(f"url must be a str or None, got {type(url).__name__}")
        blocks, page, columns = blocks_and_columns_from_html(text, self.facts, utf8)
        objects = parse_json_ld(page.json_ld)
        title = page_title(page)
        features = block_features(
            blocks,
            page,
            title=title or "",
            structured=structured_text(page, objects),
            page_kinds=page_kind_cues(page, objects, url),
            columns=columns,
        )
        return Analysis(
            blocks=blocks,
            page=page,
            json_ld=objects,
            metadata=read_metadata(page, objects, url) if metadata else Metadata(url=url),
            title=title,
            features=features.matrix,
            paths=columns.path_ids,
            tokens=features.tokens,
        )


@dataclass(frozen=True, slots=True)
class Labels:
    """The model's verdict on one page's blocks: their content probabilities, the cut, which
    are main content (`keep`), each block's role (None when they were not asked for or the
    model has none), and which go into the text (`in_text`: the main content, and the blocks
    of any role asked for besides)."""

    probabilities: np.ndarray
    cut: float
    keep: np.ndarray
    roles: list[str] | None
    in_text: np.ndarray


class Extractor:
    """Extracts pages with one block model (`model`: a `LoadedModel`, a model file's path, or
    None for the default: `$CLASSIFIER_MODEL`, else the shipped model). Reuse one for many
    pages; use one per thread or process.
    """

    def __init__(self, model: ModelArgument = None) -> None:
        self.model: LoadedModel = model if isinstance(model, LoadedModel) else load_model(model)
        self.analyser = Analyser()

    def analyse(self, html: str | bytes, url: str | None = None, *, http_charset: str | None = None) -> Analysis:
        """Everything known about a page before the model runs (`Analyser.analyse`)."""
        return self.analyser.analyse(html, url, http_charset=http_charset)

    def label(
        self,
        analysis: Analysis,
        *,
        threshold: float | None = None,
        favor: Favor = "balanced",
        include: Inclusions = Inclusions(),
        roles: bool = False,
    ) -> Labels:
        """The blocks' probabilities, the cut (`threshold` when given; the card's threshold
        when it has one; else the per-page cut leaning as `favor` says), which blocks are kept
        as content, their roles when `roles` is true or `include` needs them (`ValueError` if
        the model has no role model then), and which go into the text (the content, and the
        roles `include` names)."""
        probabilities = self.model.page_probabilities(analysis.features, analysis.paths)
        if threshold is None and favor == "balanced":
            threshold = self.model.threshold
        cut = choose_cut(probabilities, analysis.tokens, analysis.paths, threshold, favor)
        keep = decide(analysis.blocks, probabilities, cut)
        wanted = include.roles
        if not (roles or wanted) or (self.model.roles is None and not wanted):
            return Labels(probabilities, cut, keep, None, keep)
        if self.model.roles is None:
            raise ValueError("this model has no block-role model: it cannot add titles, captions or comments")
        names = self.model.roles.roles(analysis.features, keep)
        in_text = keep | np.fromiter((name in wanted for name in names), bool, len(names)) if wanted else keep
        return Labels(probabilities, cut, keep, names, in_text)

    def extract(
        self,
        html: str | bytes,
        url: str | None = None,
        *,
        threshold: float | None = None,
        favor: Favor = "balanced",
        http_charset: str | None = None,
        include_title: bool = False,
        include_captions: bool = False,
        include_comments: bool = False,
        roles: bool = True,
    ) -> Document:
        """Every block of the page with its content probability and role, the main text and
        metadata (options as in `classifier.extract`)."""
        check_decision(threshold, favor)
        analysis = self.analyse(html, url, http_charset=http_charset)
        include = Inclusions(title=include_title, captions=include_captions, comments=include_comments)
        labels = self.label(analysis, threshold=threshold, favor=favor, include=include, roles=roles)
        block_roles = labels.roles if labels.roles is not None else [None] * len(analysis.blocks)
        # Positional arguments and Python floats and bools from tolist(): a frozen dataclass's
        # keyword call costs twice as much, and the page has hundreds of blocks.
        blocks = tuple(
            Block(raw.index, raw.text, raw.tag, raw.path, probability, kept, role)
            for raw, probability, kept, role in zip(
                analysis.blocks, labels.probabilities.tolist(), labels.keep.tolist(), block_roles
            )
        )
        metadata = analysis.metadata
        return Document(
            text=assemble(analysis.blocks, labels.in_text),
            title=display_title(analysis.title, metadata.site_name, metadata.canonical_url or metadata.url),
            blocks=blocks,
            metadata=metadata,
            threshold=labels.cut,
            analysis=analysis,
        )

    def clean(
        self,
        html: str | bytes,
        url: str | None = None,
        *,
        threshold: float | None = None,
        favor: Favor = "balanced",
        http_charset: str | None = None,
        include_title: bool = False,
        include_captions: bool = False,
        include_comments: bool = False,
    ) -> str:
        """The main content of a page as plain text (options as in `classifier.clean`)."""
        check_decision(threshold, favor)
        analysis = self.analyser.analyse(html, url, http_charset=http_charset, metadata=False)
        include = Inclusions(title=include_title, captions=include_captions, comments=include_comments)
        return assemble(analysis.blocks, self.label(analysis, threshold=threshold, favor=favor, include=include).in_text)


class _DefaultExtractor:
    """The extractor of the default model file, made when first needed and kept while
    `$CLASSIFIER_MODEL` names the same file: the one piece of process state, read-only data."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._extractor: Extractor | None = None

    def get(self) -> Extractor:
        path = default_model_path()
        if self._extractor is None or path != self._path:
            self._extractor = Extractor(load_model(path))
            self._path = path
        return self._extractor


_DEFAULT = _DefaultExtractor()


def extractor_for(model: ModelArgument = None) -> Extractor:
    """The default extractor for None, else an extractor of `model` (a path is loaded now:
    load it once with `load_model()` and pass the result when extracting many pages)."""
    return _DEFAULT.get() if model is None else Extractor(model)


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    threshold: float | None = None,
    favor: Favor = "balanced",
    model: ModelArgument = None,
    http_charset: str | None = None,
    include_title: bool = False,
    include_captions: bool = False,
    include_comments: bool = False,
    roles: bool = True,
) -> Document:
    """Every block of the page with its content probability and role, the main text and
    metadata.

    `threshold`: blocks at or above this content probability are kept; lower keeps more
    (recall), higher keeps less (precision). The default (None) uses the model card's choice:
    for the shipped model, a cut per page that maximises the page's expected F1
    (`decision.page_threshold`), which is what cross-validation chose. `favor` ("balanced",
    default; "precision"; "recall") keeps the cut per page but maximises the expected F0.5 or
    F2 instead; it cannot be combined with `threshold` (ValueError). `Document.threshold` is
    the cut used. `model` is a `LoadedModel` (from `load_model`), a model file's path, or None
    for `$CLASSIFIER_MODEL`, else the shipped model.

    The main text is the page's own text: not its headline, captions or reader comments (as
    the gold of the extraction benchmarks has it). `include_title`, `include_captions` and
    `include_comments` (all False by default) add the blocks of those roles (`Block.role`,
    `roles.ROLES`) to it. A forum's posts are its main text whatever `include_comments` says.
    `roles=False` skips the role model when no role is asked for (`Block.role` is then None):
    what bulk runs do, to save its time.

    `html` is a `str`, or bytes (any bytes-like object) decoded by `decode_html`: a byte-order
    mark, else `http_charset` (the HTTP response's charset or whole Content-Type value, when
    you have it), else the page's `<meta>` charset, UTF-8 or a detector. Anything else raises
    `TypeError`.
    """
    check_decision(threshold, favor)
    return extractor_for(model).extract(
        html, url, threshold=threshold, favor=favor, http_charset=http_charset,
        include_title=include_title, include_captions=include_captions, include_comments=include_comments, roles=roles,
    )  # fmt: skip


def clean(
    html: str | bytes,
    url: str | None = None,
    *,
    threshold: float | None = None,
    favor: Favor = "balanced",
    model: ModelArgument = None,
    http_charset: str | None = None,
    include_title: bool = False,
    include_captions: bool = False,
    include_comments: bool = False,
) -> str:
    """The main content of a page as plain text ("" when it has none).

    Paragraphs are separated by a blank line; headings, list items and table rows stand on
    their own lines; code blocks keep their line breaks. Options as in `extract()`.
    """
    check_decision(threshold, favor)
    return extractor_for(model).clean(
        html, url, threshold=threshold, favor=favor, http_charset=http_charset,
        include_title=include_title, include_captions=include_captions, include_comments=include_comments,
    )  # fmt: skip


def analyse(html: str | bytes, url: str | None = None, *, http_charset: str | None = None) -> Analysis:
    """Everything known about a page before the model runs, with a fresh `Analyser` (hold one
    to analyse many pages)."""
    return Analyser().analyse(html, url, http_charset=http_charset)
