"""Reads of the quality app: what stewards look at, each in a fixed number of queries.

Querysets come from the scoped managers, so every read is limited to the
spaces of the active tenant scope (the request's, in the admin); selectors that
take an `access` also filter by it explicitly, so they stay right in a wider scope.
"""

import functools
import json
from dataclasses import dataclass
from operator import or_

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from contracts.models import OWNERSHIP_ROLE_LINKS, DataContract, Owner, Status
from quality.checks.runner import CONFIRM_RESOLUTIONS_OVER
from quality.models import (
    CLOSED_STATUSES,
    Alert,
    Priority,
    QualityMetric,
    QualityViolation,
    Severity,
    ViolationCount,
    ViolationStatus,
    ViolationTransition,
)
from tenancy.models import EDITING_ROLES, Membership, OrganizationAdmin, Space
from tenancy.raw_reads import (
    instance_from,
    key_of,
    quoted_column,
    quoted_table,
    selected_columns,
    with_ids,
)

UNRESOLVED_STATUSES = tuple(status for status in ViolationStatus if status not in CLOSED_STATUSES)
"""Statuses of violations that still need someone: open, acknowledged, assigned."""

SEVERITY_RANK = {Severity.CRITICAL: 3, Severity.WARNING: 2, Severity.INFO: 1}
PRIORITY_RANK = {Priority.URGENT: 4, Priority.HIGH: 3, Priority.MEDIUM: 2, Priority.LOW: 1}


# Who may be assigned


def space_assignee_ids(*, space_ids):
    """{space id: ids of the active users who may be assigned its violations}: those who
    may act on them there, the space's stewards and admins and its organization's admins."""
    space_ids = set(space_ids)
    assignees = {space_id: set() for space_id in space_ids}
    members = Membership.objects.filter(space_id__in=space_ids, user__is_active=True,
                                        role__in=EDITING_ROLES)
    for space_id, user_id in members.values_list("space_id", "user_id"):
        assignees[space_id].add(user_id)
    administrators = OrganizationAdmin.objects.filter(
        organization__spaces__id__in=space_ids, user__is_active=True
    )
    for space_id, user_id in administrators.values_list("organization__spaces__id", "user_id"):
        assignees[space_id].add(user_id)
    return assignees


def violation_assignee_candidates(*, space_ids):
    """Users who may be assigned violations in every one of `space_ids`, by username."""
    eligible = list(space_assignee_ids(space_ids=space_ids).values())
    user_ids = set.intersection(*eligible) if eligible else set()
    return get_user_model().objects.filter(pk__in=user_ids).order_by("username")


def space_member_choices(*, space_ids):
    """(id, username) of the users who may be assigned violations in at least one of
    `space_ids`, by username: the same people as `space_assignee_ids`. Plain SQL composed
    once a process: every violation list offers them, and the ORM took longer to compose
    the query than PostgreSQL to answer it."""
    sql, space_ids = with_ids(_space_members_sql(), "spaces", Space, space_ids)
    if not space_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *space_ids, *(role.value for role in EDITING_ROLES),
                             *space_ids])
        return cursor.fetchall()


@functools.cache
def _space_members_sql():
    quote, user, table = connection.ops.quote_name, get_user_model(), quoted_table
    roles = ", ".join(["%s"] * len(EDITING_ROLES))
    return (
        f"SELECT u.{quote(user._meta.pk.column)},"
        f" u.{quoted_column(user, user.USERNAME_FIELD)} FROM {table(user)} u"
        f" WHERE u.{quoted_column(user, 'is_active')} = %s"
        f" AND (u.{quote(user._meta.pk.column)} IN ("
        f"SELECT m.{quoted_column(Membership, 'user')} FROM {table(Membership)} m"
        f" WHERE m.{quoted_column(Membership, 'space')} IN (%(spaces)s)"
        f" AND m.{quoted_column(Membership, 'role')} IN ({roles}))"
        f" OR u.{quote(user._meta.pk.column)} IN ("
        f"SELECT a.{quoted_column(OrganizationAdmin, 'user')} FROM {table(OrganizationAdmin)} a"
        f" JOIN {table(Space)} s"
        f" ON s.{quoted_column(Space, 'organization')}"
        f" = a.{quoted_column(OrganizationAdmin, 'organization')}"
        f" WHERE s.{quote(Space._meta.pk.column)} IN (%(spaces)s)))"
        f" ORDER BY u.{quoted_column(user, user.USERNAME_FIELD)}"
    )


# Violations


def violation_history(*, violation):
    """The violation's triage history, oldest first."""
    return list(
        ViolationTransition.objects.filter(violation=violation)
        .select_related("assignee")
        .order_by("created_at")
        .seal()
    )


def violation_recent_values(*, space_ids, field_names, contract_id=None, sample_size=500):
    """{field name: the distinct values it has among the newest `sample_size` violations of
    `space_ids` (of the contract `contract_id`, when given)}, for each of `field_names`
    (text columns), in one query.

    Offering every distinct value would mean a DISTINCT over millions of rows on
    each page; the values of the newest violations are the ones stewards pick. Plain SQL
    composed once a process (every violations list runs it), where the database drops
    the repeats: a few dozen rows come back instead of `sample_size`.
    """
    values = {field_name: set() for field_name in field_names}
    contract = [] if contract_id is None else [key_of(DataContract, contract_id)]
    sql, space_ids = with_ids(_recent_values_sql(tuple(field_names), bool(contract)),
                              "spaces", Space, space_ids)
    if space_ids:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*space_ids, *contract, sample_size])
            rows = cursor.fetchall()
        for row in rows:
            for field_name, value in zip(field_names, row, strict=True):
                if value is not None:
                    values[field_name].add(value)
    return {field_name: sorted(found) for field_name, found in values.items()}


@functools.cache
def _recent_values_sql(field_names, of_contract):
    def column(name):
        return f"v.{quoted_column(QualityViolation, name)}"

    contract = f" AND {column('data_contract')} = %s" if of_contract else ""
    return (
        f"SELECT DISTINCT * FROM (SELECT {', '.join(map(column, field_names))}"
        f" FROM {quoted_table(QualityViolation)} v"
        f" WHERE {column('space')} IN (%(spaces)s){contract}"
        f" ORDER BY {column('check_timestamp')} DESC LIMIT %s) newest"
    )


def violation_count_total(*, lookups):
    """How many violations match `lookups` on ViolationCount (see `ViolationCount`), from
    the counts: no violation is read."""
    return ViolationCount.objects.filter(**lookups).aggregate(
        total=Coalesce(Sum("count"), 0)
    )["total"]


# Incidents: violations of one contract version that broke the same rule of the same field

INCIDENT_KEY = ("data_contract_id", "schema_version", "field_name", "error_type", "rule")
INCIDENT_FILTERS = ("data_contract", "schema_version", "field_name", "error_type", "rule")


@dataclass(frozen=True)
class Incident:
    """A group of violations triaged as a whole; `token` names it in forms and links."""

    data_contract_id: object
    contract_name: str | None
    contract_version: str | None
    schema_version: str | None
    field_name: str | None
    error_type: str | None
    rule: str | None
    violation_count: int
    worst_severity: str | None
    oldest: object
    newest: object

    @property
    def key(self):
        return (
            str(self.data_contract_id) if self.data_contract_id else None,
            self.schema_version, self.field_name, self.error_type, self.rule,
        )

    @property
    def token(self):
        return json.dumps(self.key)

    @property
    def lookups(self):
        """The violations list's filters that show this incident's violations."""
        lookups = {}
        for name, value in zip(INCIDENT_FILTERS, self.key, strict=True):
            if value is None:
                lookups[f"{name}__isnull"] = "True"
            else:
                lookups[f"{name}__id__exact" if name == "data_contract" else name] = value
        return lookups


def incident_list(*, statuses=UNRESOLVED_STATUSES, data_contract_id=None, violations=None):
    """Incidents among `violations` (default: all) in `statuses`, worst severity, then
    largest, first.

    A lazy queryset of dicts; wrap rows with `incident_from_row` (done per page).
    """
    severity_rank = Case(
        *[When(severity=severity, then=rank) for severity, rank in SEVERITY_RANK.items()],
        default=0,
        output_field=IntegerField(),
    )
    if violations is None:
        violations = QualityViolation.objects.all()
    violations = violations.filter(status__in=statuses)
    if data_contract_id:
        violations = violations.filter(data_contract_id=data_contract_id)
    return (
        violations.values(*INCIDENT_KEY, "data_contract__name", "data_contract__version")
        .annotate(
            violation_count=Count("pk"),
            worst_severity_rank=Max(severity_rank),
            oldest=Min("check_timestamp"),
            newest=Max("check_timestamp"),
        )
        .order_by("-worst_severity_rank", "-violation_count", "-newest", *INCIDENT_KEY)
    )


def incident_from_row(row):
    severities = {rank: severity for severity, rank in SEVERITY_RANK.items()}
    return Incident(
        data_contract_id=row["data_contract_id"],
        contract_name=row["data_contract__name"],
        contract_version=row["data_contract__version"],
        schema_version=row["schema_version"],
        field_name=row["field_name"],
        error_type=row["error_type"],
        rule=row["rule"],
        violation_count=row["violation_count"],
        worst_severity=severities.get(row["worst_severity_rank"]),
        oldest=row["oldest"],
        newest=row["newest"],
    )


def incident_violations(*, tokens):
    """Every violation (any status) of the incidents named by `tokens`.

    Raises ValueError for a token that does not name an incident.
    """
    conditions = []
    for token in tokens:
        key = json.loads(token)
        if not (
            isinstance(key, list)
            and len(key) == len(INCIDENT_KEY)
            and all(value is None or isinstance(value, str) for value in key)
        ):
            raise ValueError(f"Not an incident: {token!r}")
        conditions.append(
            Q(**{
                (name if value is not None else f"{name}__isnull"): (
                    value if value is not None else True
                )
                for name, value in zip(INCIDENT_KEY, key, strict=True)
            })
        )
    if not conditions:
        return QualityViolation.objects.none()
    return QualityViolation.objects.filter(functools.reduce(or_, conditions))


# My work


@dataclass(frozen=True)
class OwnedContract:
    contract: DataContract
    roles: list
    unresolved_violation_count: int
    latest_check_passed: str | None

    @property
    def latest_check_failed(self):
        return self.latest_check_passed == "false"

    @property
    def needs_attention(self):
        return bool(self.unresolved_violation_count) or self.latest_check_failed


@dataclass(frozen=True)
class MyWork:
    assigned: list
    assigned_count: int
    contracts_needing_attention: list
    owned_contract_count: int


def my_work(*, user, list_size=100):
    """What is on `user`'s plate: unresolved violations assigned to them (most urgent
    first), and the contracts they own that need attention.

    A user owns a contract when they hold any of the five ownership roles on its
    current metadata record, matched by username (Owner.id) or email (Owner.email).
    """
    priority_rank = Case(
        *[When(priority=priority, then=rank) for priority, rank in PRIORITY_RANK.items()],
        default=0,
        output_field=IntegerField(),
    )
    assigned = QualityViolation.objects.filter(assignee=user, status__in=UNRESOLVED_STATUSES)
    assigned_list = list(
        assigned.select_related("data_contract", "space")
        .annotate(priority_rank=priority_rank)
        .order_by("-priority_rank", "-check_timestamp", "pk")
        .seal()[:list_size]
    )
    owned = _owned_contracts(user)
    return MyWork(
        assigned=assigned_list,
        assigned_count=assigned.count(),
        contracts_needing_attention=[contract for contract in owned if contract.needs_attention],
        owned_contract_count=len(owned),
    )


def _owned_contracts(user):
    matches = Q(pk=user.get_username())
    if user.email:
        matches |= Q(email__iexact=user.email)
    owner_ids = Owner.objects.filter(matches).values("pk")
    roles = {
        f"holds_{role}": Exists(
            link_model.objects.filter(
                metadata_record_id=OuterRef("metadata_record_id"), owner_id__in=owner_ids
            )
        )
        for role, link_model in OWNERSHIP_ROLE_LINKS.items()
    }
    unresolved = (
        ViolationCount.objects.filter(
            data_contract=OuterRef("pk"), status__in=UNRESOLVED_STATUSES
        )
        .order_by()
        .values("data_contract")
        .annotate(total=Sum("count"))
        .values("total")
    )
    contracts = (
        DataContract.objects.annotate(**roles)
        .filter(functools.reduce(or_, [Q(**{name: True}) for name in roles]))
        .annotate(
            unresolved_violation_count=Coalesce(Subquery(unresolved), 0),
            latest_check_passed=_latest_check(QualityMetric.objects.values("passed")),
        )
        .select_related("space")
        .order_by("name", "version")
        .seal()
    )
    return [
        OwnedContract(
            contract=contract,
            roles=[
                link_model._meta.verbose_name
                for role, link_model in OWNERSHIP_ROLE_LINKS.items()
                if getattr(contract, f"holds_{role}")
            ],
            unresolved_violation_count=contract.unresolved_violation_count,
            latest_check_passed=contract.latest_check_passed,
        )
        for contract in contracts
    ]


def _latest_check(metrics):
    """The newest of `metrics` of the contract in the outer query, as a subquery."""
    return Subquery(
        metrics.filter(data_contract=OuterRef("pk")).order_by("-check_timestamp", "-pk")[:1]
    )


def _latest_checks(contracts):
    """The newest quality check of each of `contracts` (contracts never checked have none)."""
    return QualityMetric.objects.filter(
        pk__in=contracts.annotate(
            latest_check_id=_latest_check(QualityMetric.objects.values("pk"))
        ).values("latest_check_id")
    )


# Dashboard


@dataclass(frozen=True)
class Tally:
    key: str | None
    label: str
    count: int


@dataclass(frozen=True)
class Tallies:
    """Counts by category, in a fixed order, with what a bar chart needs to scale them."""

    items: list

    @property
    def total(self):
        return sum(item.count for item in self.items)

    @property
    def maximum(self):
        return max((item.count for item in self.items), default=0)


@dataclass(frozen=True)
class FieldScore:
    field_name: str
    score: float
    check: QualityMetric


@dataclass(frozen=True)
class DashboardSummary:
    contracts_by_status: Tallies
    unresolved_violations_by_severity: Tallies
    failing_checks: list
    worst_fields: list
    unacknowledged_alerts: list
    unacknowledged_alert_count: int


def dashboard_summary(*, access, list_size=10):
    """The steward's front page for the spaces `access` reaches, in five queries.

    Organization admins reach every space of their organization, so they see the
    alerts of all of them.
    """
    space_ids = list(access.space_ids)
    contracts = DataContract.objects.filter(space_id__in=space_ids)
    by_status = dict(
        contracts.order_by().values_list("status").annotate(count=Count("pk"))
    )
    by_severity = dict(
        ViolationCount.objects.filter(space_id__in=space_ids, status__in=UNRESOLVED_STATUSES)
        .order_by()
        .values_list("severity")
        .annotate(total=Sum("count"))
    )
    latest_checks = list(_latest_checks(contracts).select_related("data_contract").seal())
    alerts = Alert.objects.filter(space_id__in=space_ids, acknowledged_at__isnull=True)
    alert_list = list(alerts.select_related("space", "data_contract").seal()[:list_size])
    return DashboardSummary(
        contracts_by_status=_tallies(Status.choices, by_status, "No status"),
        unresolved_violations_by_severity=_tallies(Severity.choices, by_severity, "No severity"),
        failing_checks=sorted(
            (check for check in latest_checks if check.passed == "false"),
            key=lambda check: check.check_timestamp,
            reverse=True,
        )[:list_size],
        worst_fields=field_score_list(checks=latest_checks)[:list_size],
        unacknowledged_alerts=alert_list,
        unacknowledged_alert_count=alerts.count(),
    )


def _tallies(choices, counts, unknown_label):
    items = [Tally(key, label, counts.get(key, 0)) for key, label in choices]
    if counts.get(None):
        items.append(Tally(None, unknown_label, counts[None]))
    return Tallies(items)


def field_score_list(*, checks):
    """The field scores of `checks`, worst first."""
    scores = [
        FieldScore(field_name, float(score), check)
        for check in checks
        for field_name, score in (check.field_scores or {}).items()
        if isinstance(score, (int, float)) and not isinstance(score, bool)
    ]
    return sorted(scores, key=lambda field: (field.score, field.field_name))


# A contract's quality, for its page


@dataclass(frozen=True)
class ContractQualitySummary:
    checks: list
    """The last checks, oldest first (the trend)."""
    field_scores: list
    """FieldScores of the latest check, worst first."""
    unresolved_violation_count: int
    auto_resolvable_violation_count: int
    """Open violations nobody has taken on: what a complete check could resolve."""

    @property
    def resolutions_need_confirmation(self):
        return self.auto_resolvable_violation_count > CONFIRM_RESOLUTIONS_OVER

    @property
    def latest_check(self):
        return self.checks[-1] if self.checks else None


def contract_quality_summary(*, contract, check_count=20):
    """The overall-score trend of the contract's last `check_count` checks, the field
    scores of the latest one, and how many of its violations still need work.

    Two reads in plain SQL composed once a process, limited to the contract's space (which
    the caller has read it through): a contract's page runs them on every view, and the
    ORM took three times longer to compose them than PostgreSQL to answer."""
    space_id, contract_id = key_of(Space, contract.space_id), key_of(DataContract, contract.pk)
    with connection.cursor() as cursor:
        cursor.execute(_latest_checks_sql(), [contract_id, space_id, check_count])
        checks = [instance_from(QualityMetric, iter(row)) for row in cursor.fetchall()]
        cursor.execute(_violation_counts_sql(), [
            *(status.value for status in UNRESOLVED_STATUSES), ViolationStatus.OPEN.value, False,
            contract_id, space_id])
        unresolved, auto_resolvable = cursor.fetchone()
    checks.reverse()
    return ContractQualitySummary(
        checks=checks,
        field_scores=field_score_list(checks=checks[-1:]),
        unresolved_violation_count=unresolved or 0,
        auto_resolvable_violation_count=auto_resolvable or 0,
    )


@functools.cache
def _latest_checks_sql():
    def column(name):
        return quoted_column(QualityMetric, name)

    return (
        f"SELECT {selected_columns('m', QualityMetric)}"
        f" FROM {quoted_table(QualityMetric)} m"
        f" WHERE m.{column('data_contract')} = %s AND m.{column('space')} = %s"
        f" ORDER BY m.{column('check_timestamp')} DESC, m.{column('id')} DESC LIMIT %s"
    )


@functools.cache
def _violation_counts_sql():
    def column(name):
        return quoted_column(ViolationCount, name)

    count, status = column("count"), column("status")
    unresolved = ", ".join(["%s"] * len(UNRESOLVED_STATUSES))
    return (
        f"SELECT SUM(CASE WHEN {status} IN ({unresolved}) THEN {count} ELSE 0 END),"
        f" SUM(CASE WHEN {status} = %s AND {column('is_assigned')} = %s THEN {count} ELSE 0 END)"
        f" FROM {quoted_table(ViolationCount)}"
        f" WHERE {column('data_contract')} = %s AND {column('space')} = %s"
    )
