"""The demo data set: two organizations, three spaces, realistic contracts and their history.

Contracts come from PyCharter contract files in `contracts/demo/`, imported through
the same service pipelines use. Quality history (fourteen daily checks per active
contract, open violations from the latest ones) is generated deterministically.
Seeding twice changes nothing, and seeding again after stewards edited the demo
contracts keeps their edits.
"""

import random
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
from quality.alerting.services import alert_raise
from quality.models import AlertKind, QualityMetric, QualityViolation, Severity, ViolationStatus
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
            Membership.objects.update_or_create(
                space=spaces[(organization_slug, space_slug)], user=user,
                defaults={"role": role},
            )
        for organization_slug in administered:
            OrganizationAdmin.objects.get_or_create(
                organization=Organization.objects.get(slug=organization_slug), user=user
            )
    return users


def _seed_quality_history(contract):
    """Fourteen daily checks, the score dipping mid-fortnight; violations from the last three."""
    contract = DataContract.objects.select_related("schema", "space").get(pk=contract.pk)
    fields = list(contract.schema.schema_data.get("properties", {})) if contract.schema else []
    generator = random.Random(contract.name)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    metrics = []
    violations = []
    for day in range(CHECKS_PER_CONTRACT, 0, -1):
        checked_at = now - timedelta(days=day - 1, hours=generator.randint(0, 5))
        record_count = generator.randint(8_000, 12_000)
        # Every contract dipped mid-fortnight; customer profiles are failing right now.
        failing_now = contract.name == "customer_profiles" and day <= 2
        dip = 0.06 if 5 <= day <= 8 or failing_now else 0.0
        invalid_rate = max(0.0, generator.uniform(0.002, 0.03) + dip)
        invalid = int(record_count * invalid_rate)
        completeness = 1 - invalid * generator.uniform(0.1, 0.4) / record_count
        accuracy = (record_count - invalid) / record_count
        field_scores = {
            field: round(100 * (1 - generator.uniform(0, invalid_rate)), 2) for field in fields
        }
        overall = round(100 * (0.5 * accuracy + 0.5 * completeness), 2)
        passed = overall >= 95 and invalid_rate <= 0.05
        metrics.append(QualityMetric(
            schema_id=str(contract.schema_id), schema_version=contract.schema_version,
            data_contract=contract, space_id=contract.space_id, overall_score=overall,
            violation_rate=round(invalid_rate, 4), completeness=round(completeness, 4),
            accuracy=round(accuracy, 4), record_count=record_count,
            valid_count=record_count - invalid, invalid_count=invalid, violation_count=invalid,
            field_scores=field_scores,
            threshold_breaches=[] if passed else [
                f"overall_score {overall} is below the minimum 95"],
            passed="true" if passed else "false", check_timestamp=checked_at, created_by="demo",
        ))
        if day <= 3 and fields:
            for number in range(generator.randint(4, 9)):
                field = generator.choice(fields)
                violations.append(QualityViolation(
                    schema_id=str(contract.schema_id), schema_version=contract.schema_version,
                    data_contract=contract, space_id=contract.space_id,
                    record_identifier=f"{contract.name[:3]}-{day}{number:04d}",
                    record_data={field: generator.choice(["", "N/A", -1, "not-a-date", None])},
                    field_name=field,
                    error_type=generator.choice(["validation_error", "type_error",
                                                 "missing_field"]),
                    error_message=f"{field} failed its contract rule",
                    severity=generator.choice([Severity.INFO, Severity.WARNING,
                                               Severity.CRITICAL]),
                    status=ViolationStatus.OPEN if number % 4 else ViolationStatus.ACKNOWLEDGED,
                    check_timestamp=checked_at,
                ))
    QualityMetric.objects.bulk_create(metrics)
    QualityViolation.objects.bulk_create(violations)
    latest = metrics[-1]
    if latest.passed == "false":
        alert_raise(
            space=contract.space, contract=contract, metric=latest,
            kind=AlertKind.QUALITY_CHECK_FAILED, severity=Severity.WARNING,
            message=f"{contract.name} {contract.version} failed its quality check: "
            f"{'; '.join(latest.threshold_breaches)}",
        )
