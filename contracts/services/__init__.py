"""Writes of the contract graph. Admin, commands and the API all call these."""

from contracts.services.contract_import import (
    ContractImportOutcome,
    ContractImportResult,
    contract_import,
)
from contracts.services.reference import domain_upsert, owner_upsert, system_upsert

__all__ = [
    "ContractImportOutcome",
    "ContractImportResult",
    "contract_import",
    "domain_upsert",
    "owner_upsert",
    "system_upsert",
]
