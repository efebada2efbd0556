"""The 10×10 table of the rules note §1.3, typed in by hand: the expectation the tests hold
the shipped matrix and the engine to (rows = 転入地, columns = 転出地)."""

from __future__ import annotations

from datetime import date

from hitonagare.eligibility.matrix import Matrix

EXPECTED_TABLE: list[list[str]] = [
    ["×", "×", "×", "×", "×", "×", "×", "×", "×", "×"],
    ["×", "×", "×", "×", "×", "×", "×", "×", "×", "×"],
    ["○", "○", "×", "○", "×", "△", "△", "×", "×", "△"],
    ["○", "○", "×", "○", "×", "△", "△", "×", "×", "△"],
    ["○", "○", "○", "○", "×", "△", "△", "×", "△", "△"],
    ["○", "○", "▲", "○", "×", "△", "△", "×", "□", "△"],
    ["○", "○", "▲", "○", "×", "△", "△", "×", "□", "△"],
    ["○", "○", "○", "○", "×", "△", "△", "×", "△", "△"],
    ["○", "○", "▲", "○", "×", "△", "△", "×", "□", "△"],
    ["○", "○", "▲", "○", "×", "△", "△", "×", "□", "△"],
]
BASIS = date(2022, 4, 1)
MATRIX = Matrix.from_json({"matrix": EXPECTED_TABLE}, basis_date=BASIS)
