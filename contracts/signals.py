"""What the contracts app announces to the apps built on it.

`contracts` may not import `quality` (dependencies point one way), so the
lifecycle services announce events here and `quality` turns them into alerts.
Receivers call services; no business rule lives in a receiver.
"""

from django.dispatch import Signal

#: Sent inside the activation's transaction when a version that breaks its consumers
#: (signed off by a steward) becomes active. Arguments: contract, previous, breaking_changes.
breaking_version_activated = Signal()
