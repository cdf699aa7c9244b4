"""The quality rule engine: PyCharter's coercions, JSON Schema step and validation rules.

Plain Python, no Django: compile a contract once, check records one at a time,
accumulate metrics in constant memory::

    contract = compile_contract(schema, coercion_rules, validation_rules)
    metrics = MetricsAccumulator()
    for index, record in iter_records(path, "jsonl"):
        result = contract.check(record)
        metrics.add(result)
    figures = metrics.result(thresholds)

The semantics are PyCharter 0.0.67's, as measured in
``tests/quality/engine/pycharter_semantics.py``.
"""

from quality.engine.chunks import CheckedChunk, ChunkRules, checked_chunks
from quality.engine.coercions import KNOWN_COERCIONS
from quality.engine.contract import (
    CompiledContract,
    ContractDefinitionError,
    RuleProblem,
    compile_contract,
    contract_problems,
)
from quality.engine.metrics import CheckMetrics, MetricsAccumulator
from quality.engine.readers import InputError, ReadPosition, RecordProblem, iter_records
from quality.engine.results import (
    MISSING_FIELD,
    RECORD_FIELD,
    TYPE_ERROR,
    VALIDATION_ERROR,
    FieldError,
    RecordResult,
    record_identifier,
)
from quality.engine.rule_specs import ParameterSpec, RuleSpec
from quality.engine.sanitize import (
    safe_text,
    sanitize_record,
    sanitized_json,
    storable_at_a_glance,
    unstorable_text,
)
from quality.engine.validations import KNOWN_VALIDATIONS

__all__ = [
    "KNOWN_COERCIONS",
    "KNOWN_VALIDATIONS",
    "MISSING_FIELD",
    "RECORD_FIELD",
    "TYPE_ERROR",
    "VALIDATION_ERROR",
    "CheckMetrics",
    "CheckedChunk",
    "ChunkRules",
    "CompiledContract",
    "ContractDefinitionError",
    "FieldError",
    "MetricsAccumulator",
    "ParameterSpec",
    "RecordProblem",
    "RecordResult",
    "RuleProblem",
    "RuleSpec",
    "checked_chunks",
    "compile_contract",
    "contract_problems",
    "InputError",
    "ReadPosition",
    "iter_records",
    "record_identifier",
    "safe_text",
    "sanitize_record",
    "sanitized_json",
    "storable_at_a_glance",
    "unstorable_text",
]
