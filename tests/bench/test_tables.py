"""The benchmarks' pure helpers: percentiles and table formatting (no timing assertions)."""

from __future__ import annotations

import pytest

from bench.tables import fmt, markdown_table, percentile, summary, summary_row


def test_percentile_interpolates_like_numpy() -> None:
    data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert percentile(data, 50) == pytest.approx(5.5)
    assert percentile(data, 95) == pytest.approx(9.55)
    assert percentile(data, 0) == 1 and percentile(data, 100) == 10
    assert percentile([42], 99) == 42
    assert percentile([], 50) is None
    assert percentile([3, float("nan"), 1], 50) == 2  # NaN ignored


def test_percentile_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_summary_skips_missing_values() -> None:
    s = summary([0.1, None, 0.3, 0.2])
    assert s["n"] == 3 and s["max"] == 0.3 and s["p50"] == pytest.approx(0.2)
    assert summary([]) == {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}


def test_summary_row_scales_seconds_to_ms() -> None:
    assert summary_row("x", [0.5, 1.5]) == ["x", 2, 1000.0, 1450.0, 1500.0]


def test_fmt_cells() -> None:
    assert fmt(None) == "-" and fmt(True) == "yes" and fmt(3) == "3"
    assert fmt(1.26, 1) == "1.3" and fmt(float("nan")) == "-" and fmt("a") == "a"


def test_markdown_table_aligns_numbers_right() -> None:
    table = markdown_table(["name", "value"], [["a", 1.0], ["long name", 12.5]], digits=1)
    assert table.splitlines() == [
        "| name      | value |",
        "| --------- | ----: |",
        "| a         |   1.0 |",
        "| long name |  12.5 |",
    ]


def test_markdown_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [[1]])
