#!/usr/bin/env python3
"""Deterministic library-member records for the quality benchmark.

    python bench/generate_members.py --n 100000 --out-dir bench/out/data [--seed 42]

Writes ``members_<n>.jsonl``, ``.json`` and ``.csv`` with the same records, for the
contract ``bench/contracts/library_members.yaml``, plus ``members_<n>.labels.csv``
(the kind of each record) and ``members_<n>.manifest.json`` (seed and counts). The
mix is what a lending desk export looks like: mostly clean records, some that only
coercion makes valid (numbers as text, stray blanks, upper case, date-only
timestamps), and some that break one rule each. The same seed gives the same
bytes. Standard library only, so it runs with any Python 3.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter
from pathlib import Path

FIELDS = ("card_number", "full_name", "email", "age", "membership", "joined_at", "remarks")
MEMBERSHIPS = ("standard", "student", "patron")
GIVEN_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
               "Tim", "Margaret", "Dennis", "Hedy", "John", "Katherine", "Niklaus")
FAMILY_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
                "Thompson", "Perlman", "Berners-Lee", "Hamilton", "Ritchie", "Lamarr",
                "Backus", "Johnson", "Wirth")
REMARKS = ("Prefers the north branch.", "Large-print editions.", "Interlibrary loans.",
           "Reminders by e-mail only.")
ABSENT = object()

#: kind -> share of the records; "clean" takes what the others leave.
MESSY_KINDS = {
    "messy_numbers_as_text": 0.03,
    "messy_blanks_and_case": 0.03,
    "messy_date_only": 0.02,
    "messy_optional_missing": 0.02,
}
INVALID_KINDS = {
    "invalid_missing_card_number": 0.015,
    "invalid_email": 0.02,
    "invalid_age_out_of_range": 0.02,
    "invalid_age_not_a_number": 0.015,
    "invalid_membership": 0.015,
    "invalid_long_name": 0.01,
    "invalid_joined_at": 0.01,
    "invalid_long_remarks": 0.01,
    "invalid_empty_name": 0.01,
}


def clean_member(rng: random.Random, number: int) -> dict:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    day = rng.randint(1, 28)
    return {
        "card_number": f"C{number:08d}",
        "full_name": f"{given} {family}",
        "email": f"{given.lower()}.{family.lower()}{number % 997}@example.org",
        "age": rng.randint(6, 95),
        "membership": rng.choice(MEMBERSHIPS),
        "joined_at": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{day:02d}T"
        f"{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00Z",
        "remarks": rng.choice(REMARKS) if rng.random() < 0.3 else None,
    }


def apply_kind(record: dict, kind: str, rng: random.Random) -> None:
    if kind == "messy_numbers_as_text":
        record["age"] = rng.choice((f"{record['age']}", f" {record['age']} ", f"{record['age']}.0"))
    elif kind == "messy_blanks_and_case":
        record["full_name"] = f"  {record['full_name']} "
        record["email"] = record["email"].upper()
        record["membership"] = record["membership"].upper()
    elif kind == "messy_date_only":
        record["joined_at"] = record["joined_at"][:10]
    elif kind == "messy_optional_missing":
        record["age"] = ABSENT if rng.random() < 0.5 else None
        record["remarks"] = ABSENT
    elif kind == "invalid_missing_card_number":
        record["card_number"] = ABSENT
    elif kind == "invalid_email":
        record["email"] = rng.choice(("no-at-sign.example.org", "two@@example.org", "a b@c.org"))
    elif kind == "invalid_age_out_of_range":
        record["age"] = rng.choice((-1, 121, 140))
    elif kind == "invalid_age_not_a_number":
        # Not "": an empty optional value counts as absent here, on purpose, where
        # PyCharter checks it as text (see the parity table's departures).
        record["age"] = rng.choice(("N/A", "unknown", "forty"))
    elif kind == "invalid_membership":
        record["membership"] = rng.choice(("gold", "staff", " student "))
    elif kind == "invalid_long_name":
        record["full_name"] = "N" * 81
    elif kind == "invalid_joined_at":
        record["joined_at"] = rng.choice(("not-a-date", "2024-13-45"))
    elif kind == "invalid_long_remarks":
        record["remarks"] = "r" * 301
    elif kind == "invalid_empty_name":
        record["full_name"] = rng.choice(("", "   "))


def choose_kind(rng: random.Random) -> str:
    draw = rng.random()
    for kind, share in (*MESSY_KINDS.items(), *INVALID_KINDS.items()):
        if draw < share:
            return kind
        draw -= share
    return "clean"


def generate(count: int, seed: int, out_dir: Path) -> dict:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"members_{count}"
    kinds: Counter[str] = Counter()
    with (
        open(f"{stem}.jsonl", "w", encoding="utf-8") as jsonl,
        open(f"{stem}.json", "w", encoding="utf-8") as whole,
        open(f"{stem}.csv", "w", newline="", encoding="utf-8") as table,
        open(f"{stem}.labels.csv", "w", newline="", encoding="utf-8") as labels,
    ):
        rows = csv.writer(table)
        rows.writerow(FIELDS)
        label_rows = csv.writer(labels)
        label_rows.writerow(("index", "kind"))
        whole.write("[")
        for index in range(count):
            record = clean_member(rng, index)
            kind = choose_kind(rng)
            apply_kind(record, kind, rng)
            kinds[kind] += 1
            present = {key: value for key, value in record.items() if value is not ABSENT}
            line = json.dumps(present, ensure_ascii=False)
            jsonl.write(line + "\n")
            whole.write(("," if index else "") + "\n" + line)
            rows.writerow(["" if present.get(key) is None else present[key] for key in FIELDS])
            label_rows.writerow((index, kind))
        whole.write("\n]\n")
    manifest = {"seed": seed, "records": count, "kinds": dict(sorted(kinds.items()))}
    Path(f"{stem}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of records")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args(arguments)
    manifest = generate(options.n, options.seed, options.out_dir)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
