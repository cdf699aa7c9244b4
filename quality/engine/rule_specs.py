"""How a coercion or validation rule is described to editors, docs and the contract compiler."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter of a validation rule.

    ``kind`` is ``integer`` (a whole number, not a boolean), ``number`` (integer or
    float, not a boolean), ``string``, ``list`` or ``any``.
    """

    name: str
    kind: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule PyCharter knows: what it does and which parameters it takes (none for coercions)."""

    name: str
    description: str
    parameters: tuple[ParameterSpec, ...] = field(default=())
