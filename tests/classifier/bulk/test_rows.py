"""The data of a bulk run: records and rows cross process boundaries whole."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields

import pytest

from classifier.bulk.members import MemberResult, WarcMember
from classifier.bulk.rows import Record, Row, pickled_by_position

ROW = Row(
    source="crawl.warc.gz", offset=1234, url="https://a.example/p", status=200, host="a.example",
    farm_probability=0.75, flagged=True, reasons=[{"code": "disclaimer", "evidence": "auto-published", "weight": 1.5}],
    content_chars=812, boilerplate_share=0.25, title="T", published="2024-01-02", author="A", language="en",
    canonical_url="https://b.example/p", error=None, dup_domains=3, text="main text", threshold=0.6,
    signature="abc", skeletons=[["key", "filling", "sentence"]],
)  # fmt: skip
RECORD = Record(
    source="crawl.warc.gz", offset=99, url="https://a.example/", status=404, body=b"<p>x", http_charset="latin-1",
    content_encoding="gzip", gzip_file=True, skip="http_404", error="damaged", input_incomplete=True, position=120,
)  # fmt: skip


@pytest.mark.parametrize("value", [ROW, RECORD, WarcMember("crawl.warc.gz", 7, 1024), MemberResult(RECORD, ROW), MemberResult(None)])
def test_records_and_rows_survive_pickling_field_by_field(value: object) -> None:
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        copy = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert type(copy) is type(value)
        # Field by field: `Row`'s hidden fields (threshold, signature, skeletons) are not compared by ==.
        assert [getattr(copy, f.name) for f in fields(copy)] == [getattr(value, f.name) for f in fields(value)]


def test_pickling_by_position_refuses_a_field_outside_the_constructor() -> None:
    @dataclass(slots=True)
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    with pytest.raises(TypeError, match="constructor"):
        pickled_by_position(Derived)
