"""How the services name the user who acts."""


def actor_name(actor):
    """How a user is written in the ERD's `created_by` / `updated_by` columns."""
    return actor.get_username() if actor is not None else None
