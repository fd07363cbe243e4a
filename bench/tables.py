"""Pure helpers: percentiles, summaries and plain-text/markdown tables (unit tested)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any


def percentile(values: Iterable[float], pct: float) -> float | None:
    """Linear-interpolated percentile (numpy's default method); None for no values."""
    data = sorted(float(v) for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile out of range: {pct}")
    rank = (len(data) - 1) * pct / 100
    lo, hi = math.floor(rank), math.ceil(rank)
    return data[lo] + (data[hi] - data[lo]) * (rank - lo)


def summary(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """n, p50, p95, p99 and max of the values that are present."""
    data = [float(v) for v in values if v is not None]
    return {"n": len(data), "p50": percentile(data, 50), "p95": percentile(data, 95),
            "p99": percentile(data, 99), "max": max(data) if data else None}


def fmt(value: Any, digits: int = 0) -> str:
    """A cell: '-' for None, numbers rounded to `digits`, everything else str()."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
                   digits: int = 0) -> str:
    """A GitHub-markdown table; numeric columns right-aligned."""
    cells = [[fmt(c, digits) for c in row] for row in rows]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, headers {len(headers)}: {row}")
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
               for i in range(len(headers))]
    widths = [max([3, len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(items: Sequence[str]) -> str:
        return "| " + " | ".join(it.rjust(w) if num else it.ljust(w)
                                 for it, w, num in zip(items, widths, numeric, strict=True)) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w
                            for w, num in zip(widths, numeric, strict=True)) + " |"
    return "\n".join([line(list(headers)), sep, *(line(r) for r in cells)])


def summary_row(name: str, values: Iterable[float | None], scale: float = 1000.0
                ) -> list[Any]:
    """[name, n, p50, p95, max] with values scaled (seconds -> ms by default)."""
    s = summary(v * scale if v is not None else None for v in values)
    return [name, s["n"], s["p50"], s["p95"], s["max"]]


SUMMARY_HEADERS = ["phase", "n", "p50 ms", "p95 ms", "max ms"]
