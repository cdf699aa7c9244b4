"""Alerts: raised by failed quality checks and breaking versions, routed by governance role,
delivered through a space's email and webhook channels."""
