"""The steward admin of the contract graph: one page per contract, its parts' versions to
browse, and the organization's reference data."""

from contracts.admin import components, contract, reference  # noqa: F401  (registers the admins)
