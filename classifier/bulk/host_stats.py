"""Per-host counts of a run (``--hosts FILE``): pages, errors, flagged pages, mean probability."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from .writers import atomic_path, escape_surrogates


@dataclass
class HostStats:
    pages: int = 0
    errors: int = 0
    flagged: int = 0
    probability_sum: float = 0.0

    def add(self, row: dict[str, Any]) -> None:
        """Count one written row of this host."""
        if row.get("error") is not None:
            self.errors += 1
            return
        self.pages += 1
        self.flagged += bool(row.get("flagged"))
        self.probability_sum += row.get("farm_probability") or 0.0


def write_hosts_csv(path: str, hosts: dict[str, HostStats]) -> None:
    """Per host: pages scored, error rows, flagged pages, share flagged, mean probability.

    Sorted by flagged pages, then pages (both descending), then host, so farms come first.
    """
    order = sorted(hosts.items(), key=lambda kv: (-kv[1].flagged, -kv[1].pages, kv[0]))
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["host", "pages", "errors", "flagged", "share_flagged", "mean_probability"])
        for host, stats in order:
            share = stats.flagged / stats.pages if stats.pages else 0.0
            mean = stats.probability_sum / stats.pages if stats.pages else 0.0
            out.writerow([escape_surrogates(host), stats.pages, stats.errors, stats.flagged, f"{share:.4f}", f"{mean:.4f}"])
