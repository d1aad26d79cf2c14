"""What the API logs about a failure, without personal data.

An exception's message may quote what the caller sent (a name, a phone number, an address),
so the log keeps the exception's class, the message with every quoted value and every run of
digits that could be a phone number masked, and the code locations of the traceback (file,
line, function: never the values).
"""

from __future__ import annotations

import re
import traceback

#: a quoted value ('...' or "..."): names and other free text appear so in our messages
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
#: five or more digits, possibly with separators: phone numbers (and other long numbers)
_DIGITS = re.compile(r"\+?\d[\d\s().-]{3,}\d")
MAX_DETAIL = 500


def redact(text: str) -> str:
    """``text`` with quoted values and long digit runs replaced by ``***``."""
    return _DIGITS.sub("***", _QUOTED.sub("'***'", text))[:MAX_DETAIL]


def failure_detail(exc: BaseException) -> dict[str, object]:
    """The log fields of a failure: class, redacted message, and where it happened."""
    frames = traceback.extract_tb(exc.__traceback__)
    return {
        "error_class": type(exc).__name__,
        "error_detail": redact(str(exc)),
        "where": [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in frames][-8:],
    }
