"""The demo's daily data files: deterministic records for each demo contract, some of them bad.

A recipe per contract (`contracts/demo/records.yaml`) says how a good value of each field
looks and which bad values its feed sends: wrong types, out-of-range numbers, bad emails,
missing required fields. The same contract and day always give the same file, so the demo
is reproducible; what a file scores is left to the quality check that reads it.
"""

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

RECIPES_FILE = Path(__file__).resolve().parent.parent / "contracts" / "demo" / "records.yaml"
MISSING = "<missing>"
FIRST_NAMES = ("Ana", "Ben", "Chen", "Dara", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jon",
               "Kira", "Luis", "Mei", "Noor", "Omar", "Pia", "Ravi", "Sara", "Tomas", "Yuki")
LAST_NAMES = ("Almeida", "Brown", "Costa", "Dubois", "Eze", "Fischer", "Garcia", "Haddad",
              "Ito", "Jensen", "Kowalski", "Lee", "Moreau", "Nakamura", "Okafor", "Patel")


@dataclass(frozen=True)
class DayFile:
    """One day's data file of a contract, and how many of its records were made bad."""

    name: str
    content: bytes
    record_count: int
    bad_count: int


def recipes():
    """Every contract's recipe, by contract name."""
    return yaml.safe_load(RECIPES_FILE.read_text())


def day_file(*, contract_name, recipe, day, days_left):
    """The JSON Lines file of `contract_name` with the records of `day` (its midnight).

    `days_left` counts the days after this one in the history: a recipe's `incident`
    shares replace the usual bad share on the last of them."""
    generator = random.Random(f"{contract_name}:{day.date().isoformat()}")
    incident = recipe.get("incident") or []
    if days_left < len(incident):
        bad_share = incident[len(incident) - 1 - days_left]
    else:
        bad_share = generator.uniform(*recipe["bad_share"])
    record_count = generator.randint(*recipe["records"])
    bad_indexes = set(generator.sample(range(record_count), round(record_count * bad_share)))
    bad_fields = sorted(recipe["bad_values"])
    lines = []
    for index in range(record_count):
        record = {}
        for field_name, kind in recipe["fields"].items():
            if generator.random() < kind.get("absent_share", 0):
                continue
            record[field_name] = _good_value(generator, kind, day, index)
        if index in bad_indexes:
            field_name = generator.choice(bad_fields)
            value = generator.choice(recipe["bad_values"][field_name])
            if value == MISSING:
                record.pop(field_name, None)
            else:
                record[field_name] = value
        lines.append(json.dumps(record))
    return DayFile(
        name=f"{contract_name}-{day.date().isoformat()}.jsonl",
        content=("\n".join(lines) + "\n").encode(),
        record_count=record_count,
        bad_count=len(bad_indexes),
    )


def _good_value(generator, kind, day, index):
    if "identifier" in kind:
        return f"{kind['identifier']}{day:%j}{index:04d}"
    if "choice" in kind:
        return generator.choice(kind["choice"])
    if "integer" in kind:
        return generator.randint(*kind["integer"])
    if "number" in kind:
        return round(generator.uniform(*kind["number"]), 2)
    if "boolean" in kind:
        return generator.random() < 0.5
    if "timestamp" in kind:
        moment = day + timedelta(seconds=generator.randrange(24 * 3600))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    first, last = generator.choice(FIRST_NAMES), generator.choice(LAST_NAMES)
    if "email" in kind:
        return f"{first}.{last}{generator.randint(1, 99)}@{kind['email']}".lower()
    if "person" in kind:
        return f"{first} {last}"
    raise ValueError(f"{RECIPES_FILE.name}: unknown kind of value {sorted(kind)}")
