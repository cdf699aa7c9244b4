"""Reads of the contract graph, with every relation loaded up front (querysets are sealed)."""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from contracts.diff import ContractTerms
from contracts.documents.bundle import (
    OWNERSHIP_ROLES,
    SYSTEM_ROLES,
    CoercionRulesPart,
    ContractBundle,
    MetadataPart,
    SchemaPart,
    ValidationRulesPart,
)
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    BreakingChangeSignOff,
    CoercionRuleSet,
    ContractReview,
    DataContract,
    MetadataRecord,
    MetadataRecordDomain,
    Owner,
    Schema,
    ValidationRuleSet,
)
from tenancy.models import Space
from tenancy.raw_reads import (
    instance_from,
    key_of,
    quoted_column,
    quoted_table,
    selected_columns,
    with_ids,
)

CURRENT_COMPONENTS = ("schema", "coercion_rules", "validation_rules", "metadata_record")


def contract_get(*, contract_id):
    """The contract with its current components, or DataContract.DoesNotExist.

    "Missing" and "in a space you cannot see" are the same answer: the manager is scoped.
    """
    return DataContract.objects.select_related("space", *CURRENT_COMPONENTS).seal().get(
        pk=contract_id
    )


#: The relations a contract's page reads with the contract, each after the one holding it.
PAGE_RELATIONS = ("space", "space__organization", *CURRENT_COMPONENTS)


def contract_page_get(*, contract_id, space_ids):
    """The contract `contract_id` if it belongs to one of `space_ids`, with its space, its
    organization and its current parts loaded, else None (an id that is no contract's too).

    `contract_get` in one plain-SQL read composed once a process: each view of a contract's
    page starts with it, and the ORM took longer composing the join of seven tables than
    PostgreSQL took answering it."""
    try:
        contract_id = key_of(DataContract, DataContract._meta.pk.to_python(contract_id))
    except ValidationError:
        return None
    sql, space_ids = with_ids(_page_sql(), "spaces", Space, space_ids)
    if not space_ids:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [contract_id, *space_ids])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    loaded = {"": instance_from(DataContract, values)}
    for path in PAGE_RELATIONS:
        relation = _relation(path)
        holder = loaded[path.rpartition("__")[0]]
        related = instance_from(relation.related_model, values)
        if getattr(holder, relation.attname) is None:
            related = None
        relation.set_cached_value(holder, related)
        loaded[path] = related
    return loaded[""]


def _relation(path):
    """The foreign key that `path` from a contract ends with."""
    model = DataContract
    for name in path.split("__"):
        relation = model._meta.get_field(name)
        model = relation.related_model
    return relation


@functools.cache
def _page_sql():
    quote = connection.ops.quote_name
    aliases = {"": "c", **{path: f"r{index}" for index, path in enumerate(PAGE_RELATIONS)}}
    columns, joins = [selected_columns("c", DataContract)], []
    for path in PAGE_RELATIONS:
        relation, alias = _relation(path), aliases[path]
        model = relation.related_model
        columns.append(selected_columns(alias, model))
        joins.append(f" LEFT JOIN {quote(model._meta.db_table)} {alias}"
                     f" ON {alias}.{quote(model._meta.pk.column)}"
                     f" = {aliases[path.rpartition('__')[0]]}.{quote(relation.column)}")
    return (f"SELECT {', '.join(columns)} FROM {quote(DataContract._meta.db_table)} c"
            + "".join(joins)
            + f" WHERE c.{quote(DataContract._meta.pk.column)} = %s"
            f" AND c.{quoted_column(DataContract, 'space')} IN (%(spaces)s)")


def contract_reviews(contract):
    """The review rounds of a contract, newest first, for its page and the review page.

    Plain SQL composed once a process, read through the contract (which the caller has
    read through its scope): every view of a contract's page asks."""
    with connection.cursor() as cursor:
        cursor.execute(_reviews_sql(), [key_of(DataContract, contract.pk)])
        return [instance_from(ContractReview, iter(row)) for row in cursor.fetchall()]


@functools.cache
def _reviews_sql():
    return (f"SELECT {selected_columns('r', ContractReview)} FROM {quoted_table(ContractReview)} r"
            f" WHERE r.{quoted_column(ContractReview, 'data_contract')} = %s"
            f" ORDER BY r.{quoted_column(ContractReview, 'created_at')} DESC")


def _ordered_links(link_model, record, target):
    return tuple(
        link_model.objects.filter(metadata_record=record)
        .order_by("created_at", "id")
        .values_list(target, flat=True)
    )


def contract_bundle(contract):
    """The contract as a ContractBundle (what an export writes), current components only."""
    contract = contract_get(contract_id=contract.pk)
    schema = contract.schema
    coercion = contract.coercion_rules
    validation = contract.validation_rules
    record = contract.metadata_record
    metadata = None
    if record is not None:
        metadata = MetadataPart(
            title=record.title,
            version=record.version,
            status=record.status,
            type=record.type,
            description=record.description,
            governance_rules=record.governance_rules,
            created_by=record.created_by,
            updated_by=record.updated_by,
            extra=record.document_extra or {},
            ownership={
                role: _ordered_links(OWNERSHIP_ROLE_LINKS[role], record, "owner_id")
                for role in OWNERSHIP_ROLES
            },
            lineage={
                role: _ordered_links(SYSTEM_ROLE_LINKS[role], record, "system__name")
                for role in SYSTEM_ROLES
            },
            domains=_ordered_links(MetadataRecordDomain, record, "domain__name"),
        )
    return ContractBundle(
        name=contract.name,
        version=contract.version,
        status=contract.status,
        description=contract.description,
        schema=SchemaPart(title=schema.title, version=schema.version,
                          schema_data=schema.schema_data) if schema else None,
        coercion_rules=CoercionRulesPart(
            title=coercion.title, version=coercion.version, description=coercion.description,
            rules=coercion.rules,
        ) if coercion else None,
        validation_rules=ValidationRulesPart(
            title=validation.title, version=validation.version,
            description=validation.description, rules=validation.rules,
        ) if validation else None,
        metadata=metadata,
        document_extra=contract.document_extra or {},
    )


def contract_for_export(*, space, name, version=None):
    """The named contract version in `space`; without a version the active one, else the newest."""
    contracts = DataContract.objects.filter(space=space, name=name)
    if version:
        return contracts.filter(version=version).first()
    active = contracts.filter(status="active").order_by("-created_at").first()
    if active is not None:
        return active
    return max(contracts, key=lambda contract: _version_key(contract.version), default=None)


def _version_key(version):
    import semver

    try:
        return semver.Version.parse(version)
    except ValueError:
        return semver.Version(0)


def contract_system_entries(contract):
    """The systems the contract's current metadata links to, as SystemEntry (for ODCS servers)."""
    from contracts.documents.bundle import SystemEntry
    from contracts.models import System

    if contract.metadata_record_id is None:
        return []
    record_filter = (
        Q(pulled_by=contract.metadata_record_id)
        | Q(pushed_to_by=contract.metadata_record_id)
        | Q(source_of=contract.metadata_record_id)
    )
    systems = System.objects.filter(record_filter).distinct().order_by("name")
    return [
        SystemEntry(name=system.name, app_id=system.app_id, description=system.description)
        for system in systems
    ]


# The steward admin's reads ----------------------------------------------------------------

#: Violation statuses that need no more work; they mirror quality.models.CLOSED_STATUSES
#: (contracts may not import quality; a test keeps the two equal).
CLOSED_VIOLATION_STATUSES = ("resolved", "ignored")


def contract_list_with_quality(queryset):
    """Contracts annotated with what a steward scans a list for, in the list's one query:
    `open_violation_count`, and the latest check's `latest_score`, `latest_passed`
    ("true" / "false") and `last_checked_at`."""
    # From quality's violation counts: counting the violations themselves would read
    # every open violation of every contract listed.
    count_model = DataContract._meta.get_field("violation_counts").related_model
    metric_model = DataContract._meta.get_field("quality_metrics").related_model
    open_violations = (
        count_model.objects.filter(data_contract=OuterRef("pk"))
        .exclude(status__in=CLOSED_VIOLATION_STATUSES)
        .order_by()
        .values("data_contract")
        .annotate(total=Sum("count"))
        .values("total")
    )
    latest_metric = metric_model.objects.filter(data_contract=OuterRef("pk")).order_by(
        "-check_timestamp"
    )
    return queryset.annotate(
        open_violation_count=Coalesce(Subquery(open_violations[:1]), 0),
        latest_score=Subquery(latest_metric.values("overall_score")[:1]),
        latest_passed=Subquery(latest_metric.values("passed")[:1]),
        last_checked_at=Subquery(latest_metric.values("check_timestamp")[:1]),
    )


def _current_metadata_linked(link_models, **link_filter):
    """Contracts whose current metadata record has a link of one of `link_models` matching."""
    condition = Q()
    for link_model in link_models:
        condition |= Q(
            metadata_record__in=link_model.objects.filter(**link_filter).values("metadata_record")
        )
    return condition


def contract_filter_by_owner(queryset, *, owner_id, role=None):
    """Contracts where the owner holds `role` (one of OWNERSHIP_ROLES), or any of the five."""
    links = [OWNERSHIP_ROLE_LINKS[role]] if role else OWNERSHIP_ROLE_LINKS.values()
    return queryset.filter(_current_metadata_linked(links, owner=owner_id))


def contract_filter_by_system(queryset, *, system_id, role=None):
    """Contracts that pull from, push to or source from the system (or only `role` of those)."""
    links = [SYSTEM_ROLE_LINKS[role]] if role else SYSTEM_ROLE_LINKS.values()
    return queryset.filter(_current_metadata_linked(links, system=system_id))


def contract_filter_by_domain(queryset, *, domain_id):
    return queryset.filter(_current_metadata_linked([MetadataRecordDomain], domain=domain_id))


def contract_filter_by_owner_text(queryset, *, text):
    """Contracts with an owner, in any role, whose id or name contains `text`."""
    return queryset.filter(
        _current_metadata_linked(
            OWNERSHIP_ROLE_LINKS.values(),
            owner__in=Owner.objects.filter(Q(id__icontains=text) | Q(name__icontains=text)),
        )
    )


@dataclass(frozen=True)
class ContractLinks:
    """Who owns a metadata record by role, which systems it has by role, its domains."""

    owners: dict = field(default_factory=dict)
    systems: dict = field(default_factory=dict)
    domains: tuple = ()


def contract_links_get(*, metadata_record):
    """The links of a metadata record in the order they were made (none without a record):
    one query for the owners of the five roles, one for the systems, one for the domains."""
    if metadata_record is None:
        return ContractLinks(
            owners={role: () for role in OWNERSHIP_ROLES},
            systems={role: () for role in SYSTEM_ROLES},
        )
    return ContractLinks(
        owners=_linked_by_role(OWNERSHIP_ROLE_LINKS, metadata_record, "owner"),
        systems=_linked_by_role(SYSTEM_ROLE_LINKS, metadata_record, "system"),
        domains=_linked_by_role({"domains": MetadataRecordDomain}, metadata_record,
                                "domain")["domains"],
    )


def _linked_by_role(link_models, metadata_record, target):
    """{role: (target, ...)} for link tables of one target model (`link_models`: role -> link
    model), each role's targets in link order, read in one UNION ALL of the link tables.

    Plain SQL, composed from the models' tables: the ORM took six times longer to compose
    the nine link queries than the database took to answer them. The links are read through
    the metadata record, which the caller has already read through its scope."""
    target_model, sql = _links_sql(tuple(link_models.items()), target)
    record_id = key_of(MetadataRecord, metadata_record.pk)
    linked = {role: [] for role in link_models}
    params = [value for role in link_models for value in (role, record_id)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        values = iter(row)
        target_object = instance_from(target_model, values)
        linked[next(values)].append(target_object)
    return {role: tuple(targets) for role, targets in linked.items()}


@functools.cache
def _links_sql(link_models, target):
    quote = connection.ops.quote_name
    parts = []
    for _role, link_model in link_models:
        target_field = link_model._meta.get_field(target)
        target_model = target_field.related_model
        record_column = link_model._meta.get_field("metadata_record").column
        parts.append(
            f"SELECT {selected_columns('target', target_model)}, %s AS link_role,"
            f" link.{quote('created_at')} AS link_created_at,"
            f" link.{quote('id')} AS link_id"
            f" FROM {quote(link_model._meta.db_table)} link"
            f" JOIN {quote(target_model._meta.db_table)} target"
            f" ON target.{quote(target_model._meta.pk.column)} = link.{quote(target_field.column)}"
            f" WHERE link.{quote(record_column)} = %s"
        )
    return target_model, " UNION ALL ".join(parts) + " ORDER BY link_created_at, link_id"


@dataclass(frozen=True)
class ComponentVersion:
    """One version of a component in a contract's family (the contract versions of one name)."""

    component_id: object
    version: str
    contract_id: object
    contract_version: str
    contract_status: str
    is_current: bool


COMPONENT_MODELS = {
    "schema": Schema,
    "coercion_rules": CoercionRuleSet,
    "validation_rules": ValidationRuleSet,
    "metadata_record": MetadataRecord,
}
#: The kind of `contract_versions`' rows that are the family's contracts, not parts.
FAMILY = "contract"


def contract_family(*, contract):
    """Every version of the contract's name in its space, newest version first, as
    (id, version, status) rows."""
    rows = DataContract.objects.filter(space_id=contract.space_id, name=contract.name).values_list(
        "id", "version", "status"
    )
    return sorted(rows, key=lambda row: _version_key(row[1]), reverse=True)


@dataclass(frozen=True)
class ContractVersions:
    """A contract's family and its parts' versions across it, as its page shows them."""

    family: list
    """(id, version, status) of every version of the contract's name, newest first."""
    parts: dict
    """{component: [ComponentVersion, ...]}, newest first (`COMPONENT_MODELS` order)."""


def contract_versions(*, contract):
    """The contract's family and, for each component (schema, coercion rules, validation
    rules, metadata record), its versions across the family: one UNION ALL of the contracts
    and the four component tables, in plain SQL (composing it with the ORM took longer than
    the database took to answer). The family is the contract's space and name: the contract
    was read through its scope."""
    current_ids = {getattr(contract, f"{component}_id") for component in COMPONENT_MODELS}
    space_id = key_of(Space, contract.space_id)
    family, parts = [], {component: [] for component in COMPONENT_MODELS}
    with connection.cursor() as cursor:
        cursor.execute(_versions_sql(),
                       [value for kind in (FAMILY, *COMPONENT_MODELS)
                        for value in (kind, space_id, contract.name)])
        rows = cursor.fetchall()
    contract_pk = DataContract._meta.pk
    for kind, item_id, version, contract_id, contract_version, status in rows:
        contract_id = contract_pk.to_python(contract_id)
        if kind == FAMILY:
            family.append((contract_id, version, status))
            continue
        item_id = COMPONENT_MODELS[kind]._meta.pk.to_python(item_id)
        parts[kind].append(ComponentVersion(
            component_id=item_id, version=version, contract_id=contract_id,
            contract_version=contract_version, contract_status=status,
            is_current=item_id in current_ids,
        ))
    return ContractVersions(
        family=sorted(family, key=lambda row: _version_key(row[1]), reverse=True),
        parts={
            component: sorted(
                items,
                key=lambda item: (_version_key(item.version),
                                  _version_key(item.contract_version)),
                reverse=True,
            )
            for component, items in parts.items()
        },
    )


@functools.cache
def _versions_sql():
    quote = connection.ops.quote_name
    contracts = DataContract._meta
    where = (f" WHERE family.{quote(contracts.get_field('space').column)} = %s"
             f" AND family.{quote('name')} = %s")
    parts = [
        f"SELECT %s, family.{quote(contracts.pk.column)}, family.{quote('version')},"
        f" family.{quote(contracts.pk.column)}, family.{quote('version')},"
        f" family.{quote('status')} FROM {quote(contracts.db_table)} family" + where
    ]
    for model in COMPONENT_MODELS.values():
        contract_column = model._meta.get_field("data_contract").column
        parts.append(
            f"SELECT %s, part.{quote(model._meta.pk.column)}, part.{quote('version')},"
            f" part.{quote(contract_column)}, family.{quote('version')},"
            f" family.{quote('status')}"
            f" FROM {quote(model._meta.db_table)} part"
            f" JOIN {quote(contracts.db_table)} family"
            f" ON family.{quote(contracts.pk.column)} = part.{quote(contract_column)}" + where
        )
    return " UNION ALL ".join(parts)


def contract_terms(contract):
    """What data is checked against in a contract (loaded with its current components)."""
    return ContractTerms(
        schema=contract.schema.schema_data if contract.schema else {},
        coercion_rules=contract.coercion_rules.rules if contract.coercion_rules else {},
        validation_rules=contract.validation_rules.rules if contract.validation_rules else {},
    )



def contract_history_parts(*, contract):
    """{model: ids} of every part of a contract version, whose audit entries its history
    shows with its own: components of each version, metadata records and their links,
    breaking-change sign-offs. One query per model, whatever the number of rows."""
    parts = {
        model: list(model._base_manager.filter(data_contract_id=contract.pk)
                    .values_list("pk", flat=True))
        for model in (Schema, CoercionRuleSet, ValidationRuleSet, MetadataRecord,
                      BreakingChangeSignOff)
    }
    for link_model in (*OWNERSHIP_ROLE_LINKS.values(), *SYSTEM_ROLE_LINKS.values(),
                       MetadataRecordDomain):
        parts[link_model] = list(link_model._base_manager.filter(
            metadata_record__data_contract_id=contract.pk).values_list("pk", flat=True))
    return parts
