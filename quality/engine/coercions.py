"""PyCharter's coercions, value for value.

Each function follows the one of the same name in PyCharter 0.0.67
(``pycharter.shared.coercions``, MIT licence) as it behaves inside a quality check,
where pandas is loaded: see ``tests/quality/engine/pycharter_semantics.py``. The check
never passes ``None`` to a coercion. A coercion that raises makes its field fail;
the odd exceptions (``OverflowError`` from ``int(float("inf"))``) are kept because
they decide validity in PyCharter too.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from quality.engine.datetimes import parse_lenient_datetime
from quality.engine.rule_specs import RuleSpec

BOOLEAN_TRUE_TEXTS = ("true", "1", "yes", "on")
BOOLEAN_FALSE_TEXTS = ("false", "0", "no", "off")
FIXED_DATETIME_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
FIXED_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y")


def is_null(value: Any) -> bool:
    """PyCharter's null test with pandas loaded: ``pandas.isnull`` used as a truth value.

    Coercions test the class of common values before calling it: a string or an
    integer is never null, so the answer is the same.

    None and NaN are null, strings never are. A list becomes an array of answers:
    one element answers for itself, any other length cannot be a truth value and
    raises ValueError, as it does in PyCharter.
    """
    if value is None:
        return True
    if value.__class__ is float:
        return value != value
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous.")
        element = value[0]
        return element is None or (isinstance(element, float) and element != element)
    return False


def coerce_to_string(value: Any) -> str:
    if value.__class__ is str:
        return value
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to string: {value}")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    raise ValueError(f"Cannot coerce {type(value).__name__} to string: {value}")


def coerce_to_integer(value: Any) -> int:
    if value.__class__ is int:
        return value
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to integer: {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except (ValueError, TypeError) as error:
            raise ValueError(f"Cannot coerce '{value}' to integer: {error}") from error
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise ValueError(f"Cannot coerce {type(value).__name__} to integer: {value}")


def coerce_to_float(value: Any) -> float:
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to float: {value}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except (ValueError, TypeError) as error:
            raise ValueError(f"Cannot coerce '{value}' to float: {error}") from error
    raise ValueError(f"Cannot coerce {type(value).__name__} to float: {value}")


def coerce_to_boolean(value: Any) -> bool:
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to boolean: {value}")
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.lower().strip()
        if lowered in BOOLEAN_TRUE_TEXTS:
            return True
        if lowered in BOOLEAN_FALSE_TEXTS or lowered == "":
            return False
        raise ValueError(f"Cannot coerce '{value}' to boolean")
    raise ValueError(f"Cannot coerce {type(value).__name__} to boolean: {value}")


def coerce_to_datetime(value: Any) -> datetime:
    if value.__class__ is str:
        return _string_to_datetime(value)
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to datetime: {value}")
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return _string_to_datetime(value)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value)
        except (ValueError, OSError) as error:
            raise ValueError(f"Cannot coerce timestamp {value} to datetime: {error}") from error
    raise ValueError(f"Cannot coerce {type(value).__name__} to datetime: {value}")


def _string_to_datetime(text: str) -> datetime:
    """ISO 8601 first, then three fixed formats, then pandas' lenient parser."""
    if len(text.strip()) == 0:
        raise ValueError(f"Cannot coerce empty/null string to datetime: {text}")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in FIXED_DATETIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return parse_lenient_datetime(text)
    except (ValueError, TypeError) as error:
        raise ValueError(f"Cannot coerce '{text}' to datetime: {error}") from error


def coerce_to_date(value: Any) -> Any:
    """Strings in a date format become dates; everything else, failures included, passes
    unchanged (a datetime is a date, so it passes too)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if len(value.strip()) == 0:
            return value
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            for pattern in FIXED_DATE_FORMATS:
                try:
                    return datetime.strptime(value, pattern).date()
                except ValueError:
                    continue
    return value


def coerce_to_uuid(value: Any) -> UUID:
    if is_null(value):
        raise ValueError(f"Cannot coerce null value to UUID: {value}")
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        if len(value.strip()) == 0:
            raise ValueError(f"Cannot coerce empty/null string to UUID: {value}")
        try:
            return UUID(value)
        except ValueError as error:
            raise ValueError(f"Cannot coerce '{value}' to UUID: {error}") from error
    raise ValueError(f"Cannot coerce {type(value).__name__} to UUID: {value}")


def coerce_to_lowercase(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def coerce_to_uppercase(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def coerce_to_stripped_string(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def coerce_to_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def coerce_empty_to_null(value: Any) -> Any:
    if isinstance(value, str) and len(value.strip()) == 0:
        return None
    if isinstance(value, list | dict) and len(value) == 0:
        return None
    return value


def coerce_to_none(value: Any) -> Any:
    return None if is_null(value) else value


def coerce_to_json(value: Any) -> Any:
    """A string holding a dict (Python or JSON notation) becomes that dict."""
    if isinstance(value, str):
        try:
            evaluated = ast.literal_eval(value)
            if isinstance(evaluated, dict):
                return evaluated
        except (ValueError, SyntaxError):
            try:
                parsed = json.loads(value)
                if isinstance(parsed, dict):
                    return parsed
            except ValueError:
                pass
    return value


def coerce_to_nullable_string(value: Any) -> str | None:
    if value.__class__ is str:
        return value
    if is_null(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        try:
            return json.dumps(value)
        except (TypeError, ValueError):
            return None
    return None


def coerce_to_nullable_integer(value: Any) -> int | None:
    if is_null(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        try:
            return int(value)
        except (ValueError, TypeError):
            return None
    if isinstance(value, str):
        try:
            return int(float(value))
        except (ValueError, TypeError):
            return None
    if isinstance(value, datetime):
        return int(value.timestamp())
    return None


def coerce_to_nullable_float(value: Any) -> float | None:
    if is_null(value):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except (ValueError, TypeError):
            return None
    return None


def coerce_to_nullable_boolean(value: Any) -> bool | None:
    if is_null(value):
        return None
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.lower().strip()
        if lowered in BOOLEAN_TRUE_TEXTS:
            return True
        if lowered in BOOLEAN_FALSE_TEXTS:
            return False
    return None


def coerce_to_nullable_datetime(value: Any) -> datetime | None:
    if is_null(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return _string_to_datetime(value)
        except ValueError:
            return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value)
        except (ValueError, OSError):
            return None
    return None


def coerce_to_nullable_uuid(value: Any) -> UUID | None:
    if is_null(value):
        return None
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            return None
    return None


def coerce_to_nullable_json(value: Any) -> str | None:
    """A dict, or a string holding JSON or a Python dict, as a JSON string; else null."""
    if is_null(value):
        return None
    if isinstance(value, dict):
        try:
            return json.dumps(value)
        except (TypeError, ValueError):
            return None
    if isinstance(value, str):
        try:
            json.loads(value)
            return value
        except ValueError:
            try:
                evaluated = ast.literal_eval(value)
                if isinstance(evaluated, dict):
                    return json.dumps(evaluated)
            except (ValueError, SyntaxError):
                pass
    return None


COERCION_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "coerce_to_string": coerce_to_string,
    "coerce_to_integer": coerce_to_integer,
    "coerce_to_float": coerce_to_float,
    "coerce_to_boolean": coerce_to_boolean,
    "coerce_to_datetime": coerce_to_datetime,
    "coerce_to_date": coerce_to_date,
    "coerce_to_uuid": coerce_to_uuid,
    "coerce_to_lowercase": coerce_to_lowercase,
    "coerce_to_uppercase": coerce_to_uppercase,
    "coerce_to_stripped_string": coerce_to_stripped_string,
    "coerce_to_list": coerce_to_list,
    "coerce_to_json": coerce_to_json,
    "coerce_empty_to_null": coerce_empty_to_null,
    "coerce_to_none": coerce_to_none,
    "coerce_to_nullable_string": coerce_to_nullable_string,
    "coerce_to_nullable_integer": coerce_to_nullable_integer,
    "coerce_to_nullable_float": coerce_to_nullable_float,
    "coerce_to_nullable_boolean": coerce_to_nullable_boolean,
    "coerce_to_nullable_datetime": coerce_to_nullable_datetime,
    "coerce_to_nullable_uuid": coerce_to_nullable_uuid,
    "coerce_to_nullable_json": coerce_to_nullable_json,
}

COERCION_DESCRIPTIONS = {
    "coerce_to_string": "Convert to string (numbers, dicts and lists as JSON); null fails",
    "coerce_to_integer": 'Convert to int through int(float(x)): "42.7" becomes 42',
    "coerce_to_float": 'Convert to float ("nan" and "inf" accepted)',
    "coerce_to_boolean": "true/1/yes/on and false/0/no/off (any case); empty string is false",
    "coerce_to_datetime": (
        "Parse ISO 8601, then fixed formats, then month-first; numbers are epoch seconds"
    ),
    "coerce_to_date": "Parse date strings; values that do not parse pass unchanged",
    "coerce_to_uuid": "Parse UUID strings",
    "coerce_to_lowercase": "Lowercase strings (no stripping)",
    "coerce_to_uppercase": "Uppercase strings (no stripping)",
    "coerce_to_stripped_string": "Trim leading and trailing whitespace",
    "coerce_to_list": "Wrap a single value in a list",
    "coerce_to_json": "Parse a string holding a JSON or Python dict",
    "coerce_empty_to_null": "Blank strings, empty lists and empty dicts become null",
    "coerce_to_none": "NaN becomes null",
    "coerce_to_nullable_string": "Convert to string; what cannot be converted becomes null",
    "coerce_to_nullable_integer": "Convert to int; what cannot be converted becomes null",
    "coerce_to_nullable_float": "Convert to float; what cannot be converted becomes null",
    "coerce_to_nullable_boolean": "Convert to bool; what cannot be converted becomes null",
    "coerce_to_nullable_datetime": "Parse a datetime; what cannot be parsed becomes null",
    "coerce_to_nullable_uuid": "Parse a UUID; what cannot be parsed becomes null",
    "coerce_to_nullable_json": "A dict or JSON string as a JSON string; otherwise null",
}

COERCION_UNCHANGED_CLASSES: dict[str, type] = {
    "coerce_to_string": str,
    "coerce_to_nullable_string": str,
    "coerce_to_integer": int,
    "coerce_to_nullable_integer": int,
    "coerce_to_boolean": bool,
    "coerce_to_nullable_boolean": bool,
    "coerce_to_datetime": datetime,
    "coerce_to_nullable_datetime": datetime,
    "coerce_to_date": date,
    "coerce_to_uuid": UUID,
    "coerce_to_nullable_uuid": UUID,
    "coerce_to_list": list,
    "coerce_to_json": dict,
}
"""For each coercion that has one, the class of values it returns as they are (not
floats: NaN is a float that coercions refuse). The check skips the call for them."""

KNOWN_COERCIONS: dict[str, RuleSpec] = {
    name: RuleSpec(name=name, description=COERCION_DESCRIPTIONS[name])
    for name in COERCION_FUNCTIONS
}
"""Every coercion name PyCharter knows. Coercions take no parameters."""
