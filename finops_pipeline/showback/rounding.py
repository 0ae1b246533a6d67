"""Split an amount of money into parts that add up to it exactly: largest-remainder rounding.

Rounding each share on its own makes the parts of a shared pool drift from its total, which is
how allocation tools end up changing the bill (Kubecost #2359). Instead, for a total T split
by weights w (all >= 0, at least one > 0):

1. each exact share |T| * w / Σw is floored to the currency's minor unit (cents; yen: 1);
2. the whole minor units left over go one each to the largest remainders, ties broken by
   recipient name (ascending), so the result never depends on input order;
3. the residue smaller than one minor unit - pool totals carry 12 decimals, so |T| itself is
   rarely a whole number of cents - goes to the recipient with the largest weight (ties: name).
   That one part may therefore carry more decimals than the currency has.

The parts always sum to T exactly. A negative T (credits, refunds) is split as the mirror of
|T|, so a refund is shared out exactly as the charge it reverses. A recipient with weight 0
gets exactly 0. Arithmetic is in integers and fractions, never floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from math import floor

Weight = Decimal | int | Fraction

# Enough digits for any DECIMAL(38, s) value and its products with weights.
_PRECISION = 120


def split_amount(
    total: Decimal, weights: Mapping[str, Weight], minor_digits: int = 2
) -> dict[str, Decimal]:
    """Split `total` by `weights` into parts that sum to `total` exactly (see module doc).

    `minor_digits` is the currency's number of decimals (2 for cents, 0 for JPY, 3 for KWD).
    Returns the parts in the order of `weights`.
    """
    if not weights:
        raise ValueError("nothing to split into: no recipients")
    fractions = {name: Fraction(w) for name, w in weights.items()}
    if any(w < 0 for w in fractions.values()):
        raise ValueError("weights must not be negative")
    weight_sum = sum(fractions.values(), Fraction(0))
    if weight_sum == 0:
        raise ValueError("weights sum to zero: choose a fallback before splitting")

    magnitude = abs(Fraction(total))  # Decimal abs() would round to the context precision
    unit = Fraction(1, 10**minor_digits)
    shares = {name: magnitude * w / weight_sum for name, w in fractions.items()}
    parts = {name: floor(share / unit) * unit for name, share in shares.items()}

    leftover = magnitude - sum(parts.values(), Fraction(0))
    whole_units = floor(leftover / unit)
    by_remainder = sorted(parts, key=lambda name: (-(shares[name] - parts[name]), name))
    for name in by_remainder[:whole_units]:
        parts[name] += unit
    largest = min(fractions, key=lambda name: (-fractions[name], name))
    parts[largest] += leftover - whole_units * unit

    sign = -1 if total < 0 else 1
    return {name: _to_decimal(sign * part) for name, part in parts.items()}


def _to_decimal(value: Fraction) -> Decimal:
    """Exact: every part is a whole number of minor units plus (for one part) the total's own
    sub-minor digits, so the division terminates; Inexact is trapped to prove it."""
    with localcontext(prec=_PRECISION) as ctx:
        ctx.traps[Inexact] = True
        return Decimal(value.numerator) / Decimal(value.denominator)
