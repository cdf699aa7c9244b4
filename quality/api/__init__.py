"""The HTTP API of quality: results from pipelines and other tools, metrics, violations."""
