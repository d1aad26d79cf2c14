"""Reading a deposited check (pure): why a well-formed check is illegible, or None.

The line between ``rejected`` and ``declined illegible_check``: the *shape* of the ``check``
object (a JSON object with exactly ``number``, ``routing`` and ``amount_in_words``, each a
string of bounded length without control characters) is validated when the command is
parsed, and a bad shape is ``rejected`` like any malformed input. What the strings *say* is
read here, as a teller or a check scanner would, and a check that does not read is a
recorded decline: its ``routing`` must be an ABA routing transit number (9 digits, a Federal
Reserve prefix, the 3-7-1 checksum), its ``number`` 1 to 10 digits and not zero, and its
``amount_in_words`` must spell the credited amount ("One hundred twenty-three and 45/100",
optionally with "dollars", "only", or "... and forty-five cents").
"""

from __future__ import annotations

import re

__all__ = ["aba_checksum_ok", "check_problem", "spell_cents", "words_to_cents"]

MAX_CHECK_NUMBER_DIGITS = 10
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
#: Federal Reserve routing symbols: government, primary, thrift and electronic ranges.
_PREFIXES = frozenset([*range(0, 13), *range(21, 33), *range(61, 73), 80])

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_UNITS = {name: value for value, name in enumerate(_UNIT_WORDS.split())}
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_TENS = {name: 10 * (i + 2) for i, name in enumerate(_TEN_WORDS.split())}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_CENTS_FRACTION = re.compile(r"([0-9]{1,2}|no|xx)\s*/\s*100")


def aba_checksum_ok(routing: str) -> bool:
    """A valid ABA routing transit number: 9 ASCII digits, a Federal Reserve prefix, and
    3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) divisible by 10."""
    if len(routing) != 9 or not routing.isascii() or not routing.isdigit():
        return False
    if int(routing[:2]) not in _PREFIXES:
        return False
    return sum(w * int(d) for w, d in zip(_WEIGHTS, routing, strict=True)) % 10 == 0


def _integer_words(words: list[str]) -> int | None:
    """English words of a whole number below a trillion ("one hundred twenty three"), or None.

    Each scale word must be smaller than the one before ("two million three thousand");
    "zero" stands alone.
    """
    if not words or ("zero" in words and len(words) > 1):
        return None
    total, group, last_scale = 0, 0, 10**12
    for word in words:
        if word in _SCALES:
            scale = _SCALES[word]
            if group == 0 or scale >= last_scale:
                return None
            total, group, last_scale = total + group * scale, 0, scale
            continue
        grown = _grow_group(group, word)
        if grown is None:
            return None
        group = grown
    return total + group


def _grow_group(group: int, word: str) -> int | None:
    """A group below a thousand after one more word ("twenty" + "one" = 21), or None."""
    if word in _UNITS:
        # after "twenty" a unit may follow; after "one" or "twelve" nothing may
        if group % 10 or 0 < group % 100 < 20:
            return None
        return group + _UNITS[word]
    if word in _TENS:
        return None if group % 100 else group + _TENS[word]
    if word == "hundred":
        return group * 100 if 0 < group < 10 else None
    return None


def _tokens(text: str) -> list[str]:
    return text.lower().replace("-", " ").replace(",", " ").split()


def words_to_cents(text: str) -> int | None:
    """The amount a check's words spell, in cents, or None if they do not read.

    "<dollars in words> [dollars] [and NN/100 | and no/100 | and <words> cents] [only]".
    """
    flat = " ".join(text.lower().split())
    head, sep, tail = flat.rpartition(" and ")
    if not sep:
        head, tail = flat, ""
    words = _tokens(head)
    if words and words[-1] in {"dollar", "dollars"}:
        words = words[:-1]
    dollars = _integer_words(words)
    cents = _cents_words(tail) if tail else 0
    if dollars is None or cents is None:
        return None
    return dollars * 100 + cents


def _cents_words(tail: str) -> int | None:
    words = _tokens(tail)
    for trailing in ({"only"}, {"dollar", "dollars"}):
        if words and words[-1] in trailing:
            words = words[:-1]
    fraction = _CENTS_FRACTION.fullmatch(" ".join(words))
    if fraction:
        value = fraction.group(1)
        return 0 if value in {"no", "xx"} else int(value)
    if words and words[-1] in {"cent", "cents"}:
        cents = _integer_words(words[:-1])
        return cents if cents is not None and cents < 100 else None
    return None


def check_problem(number: str, routing: str, amount_in_words: str, amount: int) -> str | None:
    """Why a check with these fields cannot be credited for ``amount`` cents (None: it reads)."""
    if not aba_checksum_ok(routing):
        return f"routing number {routing!r} is not a valid ABA routing number"
    if not (
        1 <= len(number) <= MAX_CHECK_NUMBER_DIGITS
        and number.isascii()
        and number.isdigit()
        and int(number) > 0
    ):
        return (
            f"check number {number!r} is not 1 to {MAX_CHECK_NUMBER_DIGITS} digits (and not zero)"
        )
    spelled = words_to_cents(amount_in_words)
    if spelled is None:
        return f"amount in words {amount_in_words!r} does not read as an amount"
    if spelled != amount:
        return (
            f"amount in words {amount_in_words!r} says {spelled // 100}.{spelled % 100:02d}, "
            f"not {amount // 100}.{amount % 100:02d}"
        )
    return None


_ONES = _UNIT_WORDS.split()
_TEN_NAMES = ["", "", *_TEN_WORDS.split()]


def _spell_group(n: int) -> list[str]:
    words = [_ONES[n // 100], "hundred"] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_TEN_NAMES[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_ONES[n])
    return words


def spell_cents(amount: int) -> str:
    """How a check writer spells ``amount`` cents: "One hundred twenty-three and 45/100" (the
    workload generator writes checks with it; ``words_to_cents`` reads it back)."""
    dollars, cents = divmod(amount, 100)
    words: list[str] = []
    for scale, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        if dollars >= scale:
            words += _spell_group(dollars // scale) + ([name] if name else [])
            dollars %= scale
    text = " ".join(words) or "zero"
    return f"{text[0].upper()}{text[1:]} and {cents:02d}/100"
