#!/usr/bin/env bash
# Every figure of the page scorer (docs/scorer-evidence.md), one command each.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
# Cross-validated by site, and the generated hard negatives with the scorer fit on everything
# (written to build/, not over the shipped scorer).
python -m training.fit_scorer --out build/page_scorer.json --report build/scorer-cv.json
# The generated hard negatives with the shipped scorer.
python -m training.hard_negatives
# What score() adds to extract(), side by side.
python benchmarks/score_overhead.py --pages 300 --rounds 3
