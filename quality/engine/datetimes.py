"""Date and time parsing as PyCharter 0.0.67 does it, without pandas or pydantic.

Two different parsers are at work in PyCharter and both are reproduced here:

* ``parse_lenient_datetime``: the last resort of ``coerce_to_datetime``, which is
  ``pandas.to_datetime`` on one string (month first, ``"03/05/2024"`` is 5 March).
  pandas hands most strings to python-dateutil; the checks pandas makes before
  that (strings that do not look like dates, quarters, ``now``/``today``,
  delimited numeric dates) are reproduced in front of dateutil.
* ``to_schema_datetime`` / ``to_schema_date``: the lax datetime and date types of
  the pydantic model PyCharter generates for ``format: date-time`` / ``date``
  (RFC 3339-like strings, Unix timestamps in seconds or milliseconds).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from dateutil import parser as dateutil_parser
from dateutil.tz import tzoffset, tzutc

NOT_A_TIME_STRINGS = frozenset({"NaT", "nat", "NAT", "nan", "NaN", "NAN"})
NOT_DATELIKE_STRINGS = frozenset({"a", "A", "m", "M", "p", "P", "t", "T"})
DEFAULT_DATETIME = datetime(1, 1, 1)

NUMBER_PATTERN = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*\Z", re.ASCII)
TIME_FIRST_PATTERN = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
DELIMITERS = " /-."
MONTH_PATTERNS = ("%Y-%m", "%b %Y", "%b-%Y")

SCHEMA_DATETIME_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt _](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"([Zz]|[+-]\d{2}:?\d{2})?)?\Z",
    re.ASCII,
)
SCHEMA_TIMESTAMP_PATTERN = re.compile(r"[+-]?\d+(?:\.\d+)?\Z", re.ASCII)
MILLISECONDS_THRESHOLD = 2e10
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_lenient_datetime(text: str) -> datetime:
    """``pandas.to_datetime(text)`` for one string; raises ValueError when pandas would
    raise or give NaT."""
    if not text or text in NOT_A_TIME_STRINGS:
        raise ValueError(f"Cannot coerce {text!r} to datetime: result is null")
    if text == "now":
        return datetime.now()
    if text == "today":
        return datetime.today()
    if not _looks_like_datetime(text):
        raise ValueError(f'Given date string "{text}" not likely a datetime')
    if TIME_FIRST_PATTERN.match(text):
        # pandas parses time-first strings against the current date.
        return _dateutil_parse(text, default=datetime.now().replace(microsecond=0))
    delimited = _parse_delimited_date(text)
    if delimited is not None:
        return delimited
    abbreviated = _parse_abbreviated_date(text)
    if abbreviated is not None:
        return abbreviated
    return _dateutil_parse(text, default=DEFAULT_DATETIME)


def depends_on_current_time(text: str) -> bool:
    """Whether ``parse_lenient_datetime`` reads the clock for this text."""
    return text == "now" or text == "today" or TIME_FIRST_PATTERN.match(text) is not None


def _looks_like_datetime(text: str) -> bool:
    """pandas refuses plain numbers below 1000 and single letters that are no dates."""
    if text[0] == "0":
        return True
    if text in NOT_DATELIKE_STRINGS:
        return False
    if NUMBER_PATTERN.match(text):
        return float(text) >= 1000
    return True


def _parse_delimited_date(text: str) -> datetime | None:
    """pandas' fast path for MM/DD/YYYY (DD/MM/YYYY when the month cannot be one) and MM/YYYY."""
    length = len(text)
    can_swap = True
    day_text = "1"
    if length == 10 and text[2] in DELIMITERS and text[5] in DELIMITERS:
        month_text, day_text, year_text = text[0:2], text[3:5], text[6:10]
    elif length == 9 and text[1] in DELIMITERS and text[4] in DELIMITERS:
        month_text, day_text, year_text = text[0:1], text[2:4], text[5:9]
    elif length == 9 and text[2] in DELIMITERS and text[4] in DELIMITERS:
        month_text, day_text, year_text = text[0:2], text[3:4], text[5:9]
    elif length == 8 and text[1] in DELIMITERS and text[3] in DELIMITERS:
        month_text, day_text, year_text = text[0:1], text[2:3], text[4:8]
    elif length == 7 and text[2] in DELIMITERS and text[2] != ".":
        month_text, year_text = text[0:2], text[3:7]
        can_swap = False
    else:
        return None
    if not (month_text.isascii() and month_text.isdigit()):
        return None
    if not (day_text.isascii() and day_text.isdigit() and year_text.isascii()):
        return None
    if not year_text.isdigit():
        return None
    month, day, year = int(month_text), int(day_text), int(year_text)
    if year < 1000:
        return None
    if 1 <= month <= 31 and 1 <= day <= 31 and (month <= 12 or day <= 12):
        if month > 12 and can_swap:
            day, month = month, day
        return datetime(year, month, day)
    raise ValueError(f"Invalid date specified ({month}/{day})")


def _parse_abbreviated_date(text: str) -> datetime | None:
    """pandas' quarter (``2024Q1``), bare year and month-name-year forms."""
    upper = text.upper()
    length = len(upper)
    if length == 4 and upper.isascii() and upper.isdigit():
        return DEFAULT_DATETIME.replace(year=int(upper))
    if 4 <= length <= 7:
        quarter_date = _parse_quarter(upper)
        if quarter_date is not None:
            return quarter_date
    for pattern in MONTH_PATTERNS:
        try:
            return datetime.strptime(upper, pattern)
        except ValueError:
            continue
    return None


def _parse_quarter(upper: str) -> datetime | None:
    position = upper.find("Q", 1, 6)
    if position == -1:
        return None
    length = len(upper)
    try:
        if position == 1:
            quarter = int(upper[0])
            if length == 4 or (length == 5 and upper[2] == "-"):
                year = 2000 + int(upper[-2:])
            elif length == 6 or (length == 7 and upper[2] == "-"):
                year = int(upper[-4:])
            else:
                return None
        elif position in (2, 3):
            if length == 4 or (length == 5 and upper[position - 1] == "-"):
                quarter = int(upper[-1])
                year = 2000 + int(upper[:2])
            else:
                return None
        elif length == 6 or (length == 7 and upper[position - 1] == "-"):
            quarter = int(upper[-1])
            year = int(upper[:4])
        else:
            return None
    except ValueError:
        return None
    if not 1 <= quarter <= 4:
        raise ValueError(
            f"Incorrect quarterly string is given, quarter must be between 1 and 4: {upper}"
        )
    return DEFAULT_DATETIME.replace(year=year, month=(quarter - 1) * 3 + 1)


def _dateutil_parse(text: str, default: datetime) -> datetime:
    try:
        parsed = dateutil_parser.parse(text, default=default)
    except OverflowError as error:
        raise ValueError(f"Cannot coerce {text!r} to datetime: {error}") from error
    if isinstance(parsed.tzinfo, tzutc):
        return parsed.replace(tzinfo=UTC)
    if isinstance(parsed.tzinfo, tzoffset):
        return parsed.replace(tzinfo=timezone(parsed.utcoffset()))
    return parsed


def to_schema_datetime(value: Any) -> datetime:
    """The value as pydantic's lax ``datetime`` type takes it; ValueError if it does not."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        matched = SCHEMA_DATETIME_PATTERN.match(value)
        if matched:
            return _datetime_from_match(matched, value)
        if SCHEMA_TIMESTAMP_PATTERN.match(value):
            return _datetime_from_timestamp(float(value) if "." in value else int(value))
        raise ValueError(f"Input should be a valid datetime, found {value!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _datetime_from_timestamp(value)
    raise ValueError(f"expected datetime, found {type(value).__name__}")


def to_schema_date(value: Any) -> date:
    """The value as pydantic's lax ``date`` type takes it: a date, or a datetime at midnight."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        moment = to_schema_datetime(value)
    else:
        raise ValueError(f"expected date, found {type(value).__name__}")
    if moment.time() != time(0):
        raise ValueError(
            "Datetimes provided to dates should have zero time - e.g. be exact dates, "
            f"found {value!r}"
        )
    return moment.date()


def _datetime_from_match(matched: re.Match, text: str) -> datetime:
    year, month, day, hour, minute, second, fraction, offset = matched.groups()
    if hour is None:
        return datetime(int(year), int(month), int(day))
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    zone = None
    if offset in ("Z", "z"):
        zone = UTC
    elif offset:
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours >= 24 or minutes >= 60:
            raise ValueError(f"timezone offset must be less than 24 hours, found {text!r}")
        delta = timedelta(hours=hours, minutes=minutes)
        zone = timezone(-delta if offset[0] == "-" else delta)
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        microsecond,
        tzinfo=zone,
    )


def _datetime_from_timestamp(timestamp: float) -> datetime:
    if timestamp != timestamp or timestamp in (float("inf"), float("-inf")):
        raise ValueError(f"expected datetime, found {timestamp!r}")
    if abs(timestamp) > MILLISECONDS_THRESHOLD:
        timestamp = timestamp / 1000
    try:
        return UNIX_EPOCH + timedelta(seconds=timestamp)
    except OverflowError as error:
        raise ValueError(f"timestamp {timestamp!r} is out of range") from error
