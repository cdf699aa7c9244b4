"""The HTTP API of the contract graph: contracts and an organization's reference data."""
