"""Numbers and words for prose, the EU way: '871 000', '35%', 'decreased'."""

from __future__ import annotations

import math
import re
import string

from pipeline.core import countries

THOUSANDS_SEPARATOR = "\u00a0"  # a space that never breaks a number across lines
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def literal(text: object) -> str:
    """Text from an input as literal markdown: every ASCII punctuation character is escaped
    with a backslash (pandoc treats an escaped symbol as itself), so no markup, raw HTML, link,
    image or `{{< >}}` shortcode can form from it; line breaks become spaces."""
    one_line = re.sub(r"\s*[\r\n]+\s*", " ", str(text))  # keeps no-break spaces in numbers
    return _PUNCTUATION.sub(r"\\\1", one_line)


def eu_number(value: float, *, decimals: int = 0) -> str:
    """871000 -> '871 000'; 4.25 with decimals=1 -> '4.3'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("cannot format a missing value")
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THOUSANDS_SEPARATOR)


def rounded(value: float, *, significant: int = 3) -> str:
    """Round to a few significant figures for headlines: 96 712 -> '96 700'."""
    if value == 0:
        return "0"
    digits = significant - math.floor(math.log10(abs(value))) - 1
    return eu_number(round(value, min(digits, 0)))


def rounded_down(value: float, *, significant: int = 3) -> str:
    """For 'over N': 681 420 -> '681 000' (never rounds up past the value)."""
    if value <= 0:
        return eu_number(value)
    unit = 10 ** max(math.floor(math.log10(value)) - significant + 1, 0)
    return eu_number(math.floor(value / unit) * unit)


def approximately(value: float) -> str:
    """A count as the EAAMR words it: two significant figures and the side of the value they
    fall on. 61 234 -> 'over 61 000', 31 812 -> 'nearly 32 000', 5 400 -> '5 400', 87 -> '87'."""
    if value < 100:
        return eu_number(value)
    unit = 10 ** (math.floor(math.log10(value)) - 1)
    near = round(value / unit) * unit
    if near == round(value):
        return eu_number(near)
    return f"{'nearly' if near > value else 'over'} {eu_number(near)}"


def about_share(share: float) -> str:
    """A share as the EAAMR words it: 'around 40%' (nearest 5 points from 10%), 'around 7%'."""
    points = share * 100
    step = 5 if points >= 10 else 1
    return f"around {round(points / step) * step:.0f}%"


def millions(value: float, *, decimals: int = 1) -> str:
    """4 300 000 -> '4.3 million'."""
    return f"{eu_number(value / 1_000_000, decimals=decimals)} million"


def percent(share: float, *, decimals: int = 0) -> str:
    """0.355 -> '36%'; the sign is left to the direction word."""
    if math.isnan(share):
        raise ValueError("cannot format a missing share or change")
    return f"{abs(share) * 100:.{decimals}f}%"


def share_label(share: float) -> str:
    """Share of a total for labels: '40%', and '<1%' rather than a misleading '0%'."""
    return "<1%" if 0 < share < 0.005 else percent(share)


def more_or_less(change: float) -> str:
    """-0.35 -> '35% less', 0.12 -> '12% more'."""
    return f"{percent(change)} {'more' if change > 0 else 'less'}"


def direction(change: float, *, stable_below: float = 0.005) -> str:
    """Verb for a relative change: 'increased', 'decreased' or 'remained stable'."""
    if abs(change) < stable_below:
        return "remained stable"
    return "increased" if change > 0 else "decreased"


def enumeration(items: list[str]) -> str:
    """['Italy', 'Spain', 'Greece'] -> 'Italy, Spain and Greece'."""
    if not items:
        raise ValueError("nothing to enumerate")
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def in_running_text(code: str) -> str:
    """A Member State's name inside a sentence: 'the Netherlands', 'Germany'."""
    name = countries.name(code)
    return f"the {name}" if code == "NL" else name


def member_state_names(codes: list[str]) -> str:
    """['DE', 'NL'] -> 'Germany and the Netherlands'."""
    return enumeration([in_running_text(code) for code in codes])
