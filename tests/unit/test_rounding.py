"""Largest-remainder splits add up to the total exactly, whatever the sign, scale or ties."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from finops_pipeline.showback.rounding import split_amount

D = Decimal


@pytest.mark.parametrize(
    ("total", "weights", "digits", "expected"),
    [
        # 100 / 3: one cent left over, ties broken by name -> "a"
        ("100", {"c": 1, "b": 1, "a": 1}, 2, {"a": "33.34", "b": "33.33", "c": "33.33"}),
        # the leftover cent goes to the largest remainder, not the largest share
        ("1.00", {"big": 6, "small": 1}, 2, {"big": "0.86", "small": "0.14"}),
        # yen have no minor unit: whole yen only
        ("1000", {"a": 1, "b": 1, "c": 1}, 0, {"a": "334", "b": "333", "c": "333"}),
        # three-decimal currencies (KWD)
        ("1.000", {"a": 1, "b": 2}, 3, {"a": "0.333", "b": "0.667"}),
        # sub-cent residue of a 12-decimal total lands on the largest weight
        (
            "10.000000000007",
            {"a": 3, "b": 1},
            2,
            {"a": "7.500000000007", "b": "2.50"},
        ),
        # credits: the mirror image of the positive split
        ("-100", {"c": 1, "b": 1, "a": 1}, 2, {"a": "-33.34", "b": "-33.33", "c": "-33.33"}),
        ("-0.000000000001", {"a": 1, "b": 1}, 2, {"a": "-0.000000000001", "b": "0"}),
        # zero totals split to zeros
        ("0", {"a": 1, "b": 2}, 2, {"a": "0", "b": "0"}),
        # a zero weight gets exactly nothing
        ("0.05", {"a": 0, "b": 1, "c": 1}, 2, {"a": "0", "b": "0.03", "c": "0.02"}),
        # less than one cent in total: all of it to the largest weight
        ("0.004", {"a": 1, "b": 5}, 2, {"a": "0", "b": "0.004"}),
        # percentages given as decimals
        ("99.99", {"a": D("33.3"), "b": D("33.3"), "c": D("33.4")}, 2, None),
    ],
)
def test_parts_sum_exactly(
    total: str, weights: dict[str, int | Decimal], digits: int, expected: dict[str, str] | None
) -> None:
    parts = split_amount(D(total), weights, digits)
    assert sum(parts.values(), D(0)) == D(total)
    assert list(parts) == list(weights)
    if expected is not None:
        assert parts == {k: D(v) for k, v in expected.items()}


def test_only_the_largest_weight_carries_more_decimals_than_the_currency() -> None:
    parts = split_amount(D("123.456789012345"), {"a": 5, "b": 3, "c": 2}, 2)
    assert sum(parts.values()) == D("123.456789012345")
    assert parts["b"] == parts["b"].quantize(D("0.01"))
    assert parts["c"] == parts["c"].quantize(D("0.01"))
    assert parts["a"] != parts["a"].quantize(D("0.01"))


def test_ties_do_not_depend_on_input_order() -> None:
    forward = split_amount(D("0.02"), {"x": 1, "y": 1, "z": 1}, 2)
    backward = split_amount(D("0.02"), {"z": 1, "y": 1, "x": 1}, 2)
    assert forward == backward == {"x": D("0.01"), "y": D("0.01"), "z": D("0")}


def test_large_amounts_and_awkward_weights_stay_exact() -> None:
    total = D("12345678901234567890.123456789012")
    weights = {"a": Fraction(1, 7), "b": Fraction(2, 7), "c": D("0.000000000001")}
    parts = split_amount(total, weights, 2)
    with localcontext(prec=60):  # Python sums Decimals to 28 digits by default
        assert sum(parts.values(), D(0)) == total


@pytest.mark.parametrize(
    ("weights", "message"),
    [({}, "no recipients"), ({"a": 0}, "sum to zero"), ({"a": -1, "b": 2}, "negative")],
)
def test_impossible_splits_are_refused(weights: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_amount(D("1"), weights, 2)
