"""Where contract rules are checked before they are saved or imported.

The rule engine lives in `quality` (to the right of `contracts` in the
dependency order), so it registers its checker here when the app is ready; the
contracts services call `rule_problems` without importing `quality`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a contract's rules: the field and rule it concerns, and why."""

    field: str | None
    rule: str | None
    message: str

    def __str__(self):
        where = ".".join(part for part in (self.field, self.rule) if part)
        return f"{where}: {self.message}" if where else self.message


_checkers = []


def register_rule_checker(checker):
    """`checker(schema, coercion_rules, validation_rules)` returns a list of RuleProblem."""
    if checker not in _checkers:
        _checkers.append(checker)


def rule_problems(schema_data, coercion_rules, validation_rules):
    problems = []
    for checker in _checkers:
        problems.extend(checker(schema_data, coercion_rules, validation_rules))
    return problems
