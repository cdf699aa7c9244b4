"""Base class for management commands that work inside one space.

`--space organization/space` names it (default: the default space); the command
body runs inside that space's scope, so every query it makes is limited to it,
and every change it makes is recorded in the audit log as the command's.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from tenancy.audit import audit_actor
from tenancy.models import Space
from tenancy.scoping import space_scope


def space_resolve(reference):
    """The space named `organization-slug/space-slug`, or the default space when None."""
    # Resolving the name of the scope to enter happens before any scope exists.
    with scopes_disabled():
        spaces = Space.objects.select_related("organization")
        if reference is None:
            space = spaces.filter(is_default=True).first()
            if space is None:
                raise CommandError("No default space is configured; pass --space org/space.")
            return space
        organization_slug, separator, space_slug = reference.partition("/")
        if not separator:
            raise CommandError(
                f"--space {reference!r}: expected organization/space, "
                f"e.g. skyline/flight-operations. {_spaces_listed(spaces)}"
            )
        space = spaces.filter(organization__slug=organization_slug, slug=space_slug).first()
        if space is None:
            raise CommandError(f"--space {reference!r}: no such space. {_spaces_listed(spaces)}")
    return space


def _spaces_listed(spaces):
    """Commands run with full rights, so naming every space shows the caller nothing hidden."""
    names = [f"{space.organization.slug}/{space.slug}"
             for space in spaces.order_by("organization__slug", "slug")]
    return f"Spaces: {', '.join(names) if names else 'none yet'}"


def spaces_all():
    """Every space, for the system commands that work space by space (each in its own scope)."""
    with scopes_disabled():
        return list(Space.objects.select_related("organization").order_by("organization__slug",
                                                                          "slug"))


class SpaceCommand(BaseCommand):
    """Subclasses implement `handle_in_space(space, *args, **options)`."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--space",
            help="organization-slug/space-slug (default: the default space).",
        )
        return parser

    def handle(self, *args, space=None, **options):
        resolved = space_resolve(space)
        command = f"command:{self.__module__.rsplit('.', 1)[-1]}"
        with space_scope(resolved), audit_actor(name=command, source=command):
            return self.handle_in_space(resolved, *args, **options)

    def handle_in_space(self, space, *args, **options):
        raise NotImplementedError
