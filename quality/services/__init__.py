"""Writes of the quality app: every change a steward makes goes through these functions."""
