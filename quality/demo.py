"""The demo data set: two organizations, three spaces, realistic contracts and their history.

Contracts come from PyCharter contract files in `contracts/demo/`, imported through
the same service pipelines use. Quality history is fourteen daily quality checks per
active contract, each of a generated data file (`quality.demo_records`), so scores,
violations and alerts are what the rule engine and the contract's thresholds make of it.
Seeding twice changes nothing, and seeding again after stewards edited the demo
contracts keeps their edits.
"""

import io
from datetime import timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contracts.documents.parsing import parse_contract_file
from contracts.models import DataContract, Status
from contracts.services import contract_import, domain_upsert, owner_upsert, system_upsert
from quality.checks.runner import quality_check_run
from quality.demo_records import day_file, recipes
from tenancy.memberships import membership_save
from tenancy.models import Membership, Organization, OrganizationAdmin, Role, Space
from tenancy.scoping import space_scope

DEMO_FOLDER = Path(__file__).resolve().parent.parent / "contracts" / "demo"

ORGANIZATIONS = {
    "skyline": ("Skyline Airways", {
        "flight-operations": ("Flight Operations", [
            "flight_bookings-1.0.0.yaml", "flight_bookings-1.1.0.yaml",
            "aircraft_registrations-2.0.0.yaml",
        ]),
        "customer-analytics": ("Customer Analytics", ["customer_profiles-1.2.0.yaml"]),
    }),
    "northwind": ("Northwind Retail", {
        "orders": ("Orders", ["retail_orders-1.0.0.yaml"]),
    }),
}

# username -> (email, superuser, [(organization, space, role)], [administered organizations])
USERS = {
    "admin": ("admin@example.com", True, [], []),
    "priya": ("priya.natarajan@skyline.example", False,
              [("skyline", "flight-operations", Role.STEWARD),
               ("skyline", "customer-analytics", Role.VIEWER)], []),
    "vera": ("vera@skyline.example", False, [("skyline", "flight-operations", Role.VIEWER)], []),
    "olivia": ("olivia@skyline.example", False, [], ["skyline"]),
    "nora": ("raj.patel@northwind.example", False, [("northwind", "orders", Role.STEWARD)], []),
}

CHECKS_PER_CONTRACT = 14


def demo_space_arguments():
    """The `--space` argument of each demo space, with the names of its contracts."""
    arguments = {}
    for organization_slug, (_, space_definitions) in ORGANIZATIONS.items():
        for space_slug, (_, contract_files) in space_definitions.items():
            names = dict.fromkeys(file_name.rsplit("-", 1)[0] for file_name in contract_files)
            arguments[f"{organization_slug}/{space_slug}"] = list(names)
    return arguments


def demo_exists():
    """Whether this database already holds the demo data (a second run reuses it)."""
    return Organization.objects.filter(slug__in=ORGANIZATIONS).exists()


@transaction.atomic
def demo_seed(*, password):
    """Create (or bring back) the demo organizations, users, contracts and quality history.

    Contracts already there are kept as they are, so a second run after stewards edited
    them only brings back what is missing."""
    reference = yaml.safe_load((DEMO_FOLDER / "reference.yaml").read_text())
    spaces = {}
    for organization_slug, (organization_name, space_definitions) in ORGANIZATIONS.items():
        organization, _ = Organization.objects.get_or_create(
            slug=organization_slug, defaults={"name": organization_name}
        )
        for space_slug, (space_name, contract_files) in space_definitions.items():
            space, _ = Space.objects.get_or_create(
                organization=organization, slug=space_slug, defaults={"name": space_name}
            )
            spaces[(organization_slug, space_slug)] = space
            with space_scope(space):
                _seed_reference(organization, reference[organization_slug])
                for file_name in contract_files:
                    _seed_contract(space, DEMO_FOLDER / file_name)
    users = _seed_users(spaces, password)
    return spaces, users


def _seed_reference(organization, entities):
    for owner in entities["owners"]:
        owner_upsert(
            organization=organization, owner_id=owner["id"], name=owner.get("name"),
            email=owner.get("email"), team=owner.get("team"), overwrite=False,
        )
    for system in entities["systems"]:
        system_upsert(organization=organization, name=system["name"], app_id=system.get("app_id"),
                      description=system.get("description"), overwrite=False)
    for domain in entities["domains"]:
        domain_upsert(organization=organization, name=domain["name"],
                      description=domain.get("description"), overwrite=False)


def _seed_contract(space, path):
    parsed = parse_contract_file(path, max_bytes=settings.PYCHARTER_MAX_IMPORT_BYTES)
    for bundle in parsed.bundles:
        # A demo contract that is already there stays as stewards left it, edits included.
        if DataContract.objects.filter(space=space, name=bundle.name,
                                       version=bundle.version).exists():
            continue
        result = contract_import(space=space, bundle=bundle, actor="demo")
        if result.outcome == "created" and result.contract.status == Status.ACTIVE:
            _seed_quality_history(result.contract)


def _seed_users(spaces, password):
    User = get_user_model()
    users = {}
    for username, (email, superuser, memberships, administered) in USERS.items():
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True,
                                         "is_superuser": superuser},
        )
        user.set_password(password)
        user.save()
        users[username] = user
        for organization_slug, space_slug, role in memberships:
            membership = Membership.objects.filter(
                space=spaces[(organization_slug, space_slug)], user=user
            ).first() or Membership(space=spaces[(organization_slug, space_slug)], user=user)
            if membership._state.adding or membership.role != role:
                membership.role = role
                membership_save(membership=membership, actor="demo")
        for organization_slug in administered:
            OrganizationAdmin.objects.get_or_create(
                organization=Organization.objects.get(slug=organization_slug), user=user
            )
    return users


def _seed_quality_history(contract):
    """Fourteen daily checks of generated files, run by the quality-check runner itself.

    Each day's file holds new records (its own identifiers), so each check is of part
    of the dataset: it opens what it finds and resolves nothing it does not see."""
    recipe = recipes().get(contract.name)
    if recipe is None:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days_left in range(CHECKS_PER_CONTRACT - 1, -1, -1):
        checked_at = now - timedelta(days=days_left)
        records_day = (checked_at - timedelta(days=1)).replace(hour=0)
        data_file = day_file(contract_name=contract.name, recipe=recipe, day=records_day,
                             days_left=days_left)
        quality_check_run(
            contract=contract, source=io.BytesIO(data_file.content), data_format="jsonl",
            record_id_field=recipe["record_id"], actor="demo", full_dataset=False,
            source_name=data_file.name, checked_at=checked_at,
        )
