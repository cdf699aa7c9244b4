"""django-import-export resources of the contract graph, each bound to one tenant.

A resource is built for one space and for who imports: `OwnerResource(space=space,
actor=request.user)`, which is what the admin's `get_import_resource_kwargs` and the
`import_data` / `export_data` commands pass. Rows are read and written only within
that tenant: querysets are limited to the space (contracts and their links) or to
its organization (owners, systems, domains), and every reference in a row resolves
inside it. So an import never reads or changes another tenant's rows, and its
errors cannot tell a name that exists in another organization from one that exists
nowhere.

Writes go through the services: `owner_upsert`, `system_upsert`, `domain_upsert`,
`contract_import`, `ownership_link_add`, `system_link_add`. As with the upsert
services, an empty cell leaves the stored value as it is; a new row gets the
column's default.

Files are CSV, JSON or YAML (`FORMATS`). A CSV export is made safe to open in a
spreadsheet (see `escape_formula`); JSON and YAML are read by programs and keep
every value exactly.
"""

import json
from datetime import datetime
from functools import cached_property
from pathlib import PurePath

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader

from contracts.documents.bundle import ContractBundle
from contracts.documents.errors import DocumentError, SourceLocation
from contracts.documents.loading import load_document_bytes
from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    DataContract,
    Domain,
    Owner,
    Status,
    System,
)
from contracts.services import contract_import, domain_upsert, owner_upsert, system_upsert
from contracts.services.contract_edit import contract_update
from contracts.services.links import ownership_link_add, system_link_add
from tenancy.safe_text import unsafe_text_find

# Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"


def escape_formula(value):
    """`value` made inert in a spreadsheet: text starting with = + - @ tab or CR gets a
    leading quote. Text that already starts with quotes before such a character gets one
    more, so that `unescape_formula` always gives the original back."""
    if isinstance(value, str) and value.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS):
        return FORMULA_ESCAPE + value
    return value


def unescape_formula(value):
    """The value `escape_formula` was given: an exported CSV imports back unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_ESCAPE)
        and value.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


#: The name uploads are read under; the admin puts the file's own name in the message.
UPLOAD_NAME = "upload"


def _upload_text(in_stream):
    return in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream


def _checked_rows(dataset):
    """`dataset` when it is within the row limit and all its text can be stored."""
    limit = settings.PYCHARTER_ADMIN_IMPORT_MAX_ROWS
    if dataset.height > limit:
        raise DocumentError(
            UPLOAD_NAME, None, None,
            f"the file has {dataset.height} rows, more than the limit of {limit} for an import "
            "from the browser: import it with `manage.py import_data`",
        )
    headers = list(dataset.headers or ())
    unsafe = unsafe_text_find(headers)
    if unsafe is not None:
        raise DocumentError(UPLOAD_NAME, SourceLocation(1), None, f"a column name {unsafe[1]}")
    for index, row in enumerate(dataset):
        unsafe = unsafe_text_find(dict(zip(headers, row, strict=False)))
        if unsafe is not None:
            field_path, message = unsafe
            raise DocumentError(UPLOAD_NAME, None, None,
                                f"row {index + 1}, field {field_path[0]}: {message}")
    return dataset


def _document_dataset(in_stream, suffix):
    """A JSON or YAML upload read by the contract loader (its limits, its safe YAML)."""
    document = load_document_bytes(
        _upload_text(in_stream).encode("utf-8"),
        path=PurePath(UPLOAD_NAME + suffix), max_bytes=settings.PYCHARTER_MAX_IMPORT_BYTES,
    )
    records = document.data
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise DocumentError(UPLOAD_NAME + suffix, None, None,
                            "expected a list of records, each of column: value")
    headers = list(dict.fromkeys(key for record in records for key in record))
    return _checked_rows(tablib.Dataset(
        *[[record.get(header) for header in headers] for record in records], headers=headers
    ))


class CSV(base_formats.CSV):
    """CSV whose exports are safe to open in a spreadsheet and whose imports read them back.

    django-import-export's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) only
    drops a leading "="; this escapes every formula trigger, under the same setting.
    """

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        restored = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            restored.append([unescape_formula(cell) for cell in row])
        return _checked_rows(restored)

    def export_data(self, dataset, **kwargs):
        if getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False):
            escaped = tablib.Dataset(headers=dataset.headers)
            for row in dataset:
                escaped.append([escape_formula(cell) for cell in row])
            dataset = escaped
        return dataset.export(self.get_title(), **kwargs)


class JSON(base_formats.JSON):
    """JSON for programs, which do not evaluate formulas: values are exported exactly.

    Imports are read by the contract loader: duplicate keys, NaN and deep nesting refused.
    """

    def create_dataset(self, in_stream, **kwargs):
        return _document_dataset(in_stream, ".json")

    def export_data(self, dataset, **kwargs):
        return dataset.export(self.get_title(), **kwargs)


class YAML(base_formats.YAML):
    """YAML for programs, which do not evaluate formulas: values are exported exactly.

    Imports are read by the contract loader: no aliases, no tags, bounded nesting.
    """

    def create_dataset(self, in_stream, **kwargs):
        return _document_dataset(in_stream, ".yaml")

    def export_data(self, dataset, **kwargs):
        return dataset.export(self.get_title(), **kwargs)


#: The formats of every import and export (the admin's `formats`, the commands' --format).
FORMATS = (CSV, JSON, YAML)


def _json_kind(value):
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class TextWidget(widgets.Widget):
    """Text from any format: an empty cell is no value, a number in JSON or YAML its digits."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"expected text, found {_json_kind(value)}: quote the value")
        return str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONObjectWidget(widgets.Widget):
    """A JSON object: JSON text in a CSV cell, or an object in a JSON or YAML file."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value, parse_constant=_refuse_constant)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"not valid JSON: {error.msg} (character {error.pos + 1})"
                ) from None
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object ({{...}}), found {_json_kind(value)}")
        return value

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else json.dumps(value, ensure_ascii=False)


class DateTimeWidget(widgets.Widget):
    """ISO 8601 with the offset both ways, so that an export imports back to the same instant."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        try:
            parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(
                "not a date and time: expected ISO 8601, e.g. 2026-11-21T06:32:24+00:00"
            ) from None
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.isoformat()


def column_problems(columns, *, expected, required):
    """What is wrong with a file's columns, said so that a person can fix the file."""
    columns = list(columns)
    expected_text = ", ".join(expected)
    if len(columns) == 1 and columns[0] not in expected and any(
        delimiter in columns[0] for delimiter in (";", "\t", "|")
    ):
        return [
            f"expected columns {expected_text}; found one column {columns[0]!r} "
            "— is the delimiter ','?"
        ]
    problems = [
        f"the column {column!r} is written more than once"
        for column in dict.fromkeys(columns)
        if columns.count(column) > 1
    ]
    unknown = [column for column in dict.fromkeys(columns) if column not in expected]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}: expected columns {expected_text}"
        )
    missing = [column for column in required if column not in columns]
    if missing:
        problems.append(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}: "
            f"the file must have {', '.join(required)}"
        )
    return problems


def _cell_text(row, column):
    value = row.get(column)
    return "" if value is None else str(value)


class TenantResource(resources.Resource):
    """A resource bound to one space (and so to its organization) and to who imports.

    Built with `space` and `actor` (a user, or a process name such as
    "command:import_data"). Subclasses limit `get_queryset` to the tenant and
    resolve every reference inside it. On top of django-import-export this checks a
    file's columns before any row, refuses a row whose natural key an earlier row
    already had, and always writes a new row (the library would skip a new row whose
    columns match a blank instance).

    `import_data` accepts two optional callables for the commands: `row_location(row
    number)` names where a row is in the file ("line 4"), `progress(row number)` is
    called after each row.
    """

    #: The name commands and jobs know the resource by (`import_data owners`).
    registry_name = None
    #: Columns a file must have (default: the natural key, `import_id_fields`).
    required_columns = None
    #: What a skipped row is in a summary: "unchanged", or "skipped" when rows that
    #: exist are deliberately left alone whatever they say.
    skipped_row_outcome = "unchanged"
    #: Keyword filters `filter_export` accepts (the export command's --contract, --status).
    export_filters = ()

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    def __init__(self, *, space, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.space = space
        self.actor = actor
        self._first_row_by_key = {}

    @property
    def organization(self):
        return self.space.organization

    def get_columns(self):
        """Every column a file may have, in export order."""
        return self.get_export_headers()

    def get_required_columns(self):
        if self.required_columns is not None:
            return list(self.required_columns)
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def column_problems(self, columns):
        return column_problems(
            columns, expected=self.get_columns(), required=self.get_required_columns()
        )

    def column_of(self, error_key):
        """The column a validation error's key (a field name or model attribute) is about."""
        for name, field in self.fields.items():
            if error_key in (name, field.attribute):
                return field.column_name
        return None if error_key == "__all__" else error_key

    def before_import(self, dataset, **kwargs):
        self._first_row_by_key.clear()
        problems = self.column_problems(dataset.headers or [])
        if problems:
            raise ValidationError(problems)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, row_number=None, row_location=None, **kwargs):
        errors = {
            column: "a value is required"
            for column in self.get_required_columns()
            if _cell_text(row, column) == ""
        }
        if errors:
            raise ValidationError(errors)
        key_columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
        key = tuple(_cell_text(row, column) for column in key_columns)
        if any(key):
            first = self._first_row_by_key.setdefault(key, row_number)
            if first != row_number:
                where = row_location(first) if row_location else f"row {first}"
                same = (
                    f"{key_columns[0]} {key[0]!r}" if len(key) == 1
                    else f"the same {', '.join(key_columns[:-1])} and {key_columns[-1]}"
                )
                raise ValidationError({key_columns[0]: f"duplicate: {where} already has {same}"})
        super().before_import_row(row, **kwargs)

    def after_import_row(self, row, row_result, row_number=None, progress=None, **kwargs):
        if progress is not None:
            progress(row_number)
        super().after_import_row(row, row_result, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._state.adding:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)


class TenantModelResource(TenantResource, resources.ModelResource):
    """A TenantResource of one model, whose empty cells keep the stored values.

    Text, JSON objects and ISO 8601 timestamps read the same from CSV, JSON and YAML.
    """

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.JSONField):
            return JSONObjectWidget
        if isinstance(f, models.DateTimeField):
            return DateTimeWidget
        if isinstance(f, models.CharField | models.TextField):
            return TextWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        return dict((cls._meta.widgets or {}).get(field_name, {}))

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        # An empty cell must not replace a stored value, neither by None nor by the
        # model's default (a contract's status would silently become "draft").
        field.default = NOT_PROVIDED
        field.saves_null_values = False
        return field


class OwnerResource(TenantModelResource):
    """The organization's owners, by id (PyCharter's owner key, unique in the database)."""

    registry_name = "owners"

    class Meta:
        model = Owner
        fields = ("id", "name", "email", "team", "additional_info")
        import_id_fields = ["id"]

    def get_queryset(self):
        return Owner.objects.filter(organization_id=self.space.organization_id).seal()

    def init_instance(self, row=None):
        return Owner(organization=self.organization)

    def do_instance_save(self, instance, is_create):
        owner_upsert(
            organization=self.organization, owner_id=instance.pk, name=instance.name,
            email=instance.email, team=instance.team, additional_info=instance.additional_info,
            actor=self.actor,
        )


class SystemResource(TenantModelResource):
    """The organization's systems, by name."""

    registry_name = "systems"

    class Meta:
        model = System
        fields = ("name", "app_id", "description")
        import_id_fields = ["name"]

    def get_queryset(self):
        return System.objects.filter(organization_id=self.space.organization_id).seal()

    def init_instance(self, row=None):
        return System(organization=self.organization)

    def do_instance_save(self, instance, is_create):
        system, _ = system_upsert(
            organization=self.organization, name=instance.name, app_id=instance.app_id,
            description=instance.description, actor=self.actor,
        )
        instance.pk = system.pk


class DomainResource(TenantModelResource):
    """The organization's domains, by name."""

    registry_name = "domains"

    class Meta:
        model = Domain
        fields = ("name", "description")
        import_id_fields = ["name"]

    def get_queryset(self):
        return Domain.objects.filter(organization_id=self.space.organization_id).seal()

    def init_instance(self, row=None):
        return Domain(organization=self.organization)

    def do_instance_save(self, instance, is_create):
        domain, _ = domain_upsert(
            organization=self.organization, name=instance.name, description=instance.description,
            actor=self.actor,
        )
        instance.pk = domain.pk


# Column of a current component's version -> how errors name the component.
CURRENT_COMPONENTS = {
    "schema_version": "schema",
    "coercion_rules_version": "coercion rules",
    "validation_rules_version": "validation rules",
    "metadata_version": "metadata record",
}


def checked_status(status, choices):
    """`status` when it is one of `choices`; else a ValueError that lists them (export filters)."""
    if status not in choices:
        raise ValueError(f"unknown status {status!r}: expected {', '.join(choices)}")
    return status


class DataContractResource(TenantModelResource):
    """The space's contracts, flat: one row per version, with its current component versions.

    A new name and version creates the contract (through `contract_import`); an
    existing one may get another description (through `contract_update`). The rest is
    read-only here, and a row that would change it is refused: a status changes by
    activating or deprecating a version, which checks breaking changes; the current
    schema and rules change by editing the contract or making a new version, which
    checks the locks of active contracts.
    """

    registry_name = "contracts"

    export_filters = ("contract", "status")

    class Meta:
        model = DataContract
        fields = ("name", "version", "status", "description", *CURRENT_COMPONENTS)
        import_id_fields = ["name", "version"]

    def get_queryset(self):
        return (
            DataContract.objects.filter(space=self.space)
            .select_related("schema", "coercion_rules", "validation_rules", "metadata_record")
            .order_by("name", "version")
            .seal()
        )

    def filter_export(self, queryset, contract=None, status=None, **kwargs):
        if contract is not None:
            queryset = queryset.filter(name=contract)
        if status is not None:
            queryset = queryset.filter(status=checked_status(status, Status.values))
        return queryset

    def init_instance(self, row=None):
        return DataContract(space=self.space)

    def import_instance(self, instance, row, **kwargs):
        stored = {column: getattr(instance, column) for column in ("status", *CURRENT_COMPONENTS)}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not instance._state.adding and instance.status != stored["status"]:
            errors["status"] = [
                f"an import does not change the status of an existing contract (it is "
                f"{stored['status']}): activate or deprecate a version in the admin"
            ]
        for column, label in CURRENT_COMPONENTS.items():
            if column not in errors and getattr(instance, column) != stored[column]:
                errors[column] = [
                    f"an import does not change the current {label} "
                    f"(it is {stored[column] or 'none'}): edit the contract or make a new version"
                ]
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        if is_create:
            result = contract_import(
                space=self.space,
                bundle=ContractBundle(
                    name=instance.name, version=instance.version, status=instance.status,
                    description=instance.description,
                ),
                actor=self.actor,
            )
            instance.pk = result.contract.pk
        else:
            # contract_update names users only; a process is named by the audit log.
            user = None if isinstance(self.actor, str) else self.actor
            contract_update(contract=instance, actor=user, description=instance.description)


class _LinksOfEveryRole:
    """The links of every role as one iterable that filters like a queryset (for exports)."""

    def __init__(self, querysets_by_role):
        self.querysets_by_role = querysets_by_role

    def filter(self, **lookups):
        return _LinksOfEveryRole(
            {role: queryset.filter(**lookups) for role, queryset in self.querysets_by_role.items()}
        )

    def __iter__(self):
        for queryset in self.querysets_by_role.values():
            yield from queryset


class _LinkLoader(BaseInstanceLoader):
    """Finds the link a row names: link resources span one model per role."""

    def get_instance(self, row):
        return self.resource.existing_link(row)


class _LinkResource(TenantResource):
    """Links from the current metadata record of the space's contracts, by role.

    One row names the contract (name and version), the role and the other end, which
    must belong to the space's organization. An import adds links; it never removes one.
    """

    #: Role -> link model.
    links_by_role = {}
    #: The link's foreign key to the other end, and the column that names it.
    target = None
    target_column = None
    export_filters = ("contract",)

    contract_name = fields.Field(column_name="contract_name")
    contract_version = fields.Field(column_name="contract_version")
    role = fields.Field(column_name="role")

    class Meta:
        instance_loader_class = _LinkLoader

    @cached_property
    def _roles_by_model(self):
        return {model: role for role, model in self.links_by_role.items()}

    @cached_property
    def _contracts(self):
        """(name, version) -> contract of this space, with its current metadata record."""
        contracts = DataContract.objects.filter(space=self.space).select_related("metadata_record")
        by_key = {}
        for contract in contracts:
            if contract.metadata_record is not None:
                # The record's contract is this one: spare a query per row in diffs.
                contract.metadata_record.data_contract = contract
            by_key[(contract.name, contract.version)] = contract
        return by_key

    @cached_property
    def _targets(self):
        """Name in a file -> owner or system of this organization."""
        raise NotImplementedError

    def unknown_target(self, name):
        raise NotImplementedError

    def _resolve(self, row):
        """(link model, metadata record, other end) the row names, all within the tenant."""
        errors = {}
        role = _cell_text(row, "role")
        link_model = self.links_by_role.get(role)
        if link_model is None:
            errors["role"] = f"{role!r} is not a role: expected {', '.join(self.links_by_role)}"
        name, version = _cell_text(row, "contract_name"), _cell_text(row, "contract_version")
        contract = self._contracts.get((name, version))
        if contract is None:
            errors["contract_name"] = f"no contract {name!r} version {version!r} in this space"
        elif contract.metadata_record is None:
            errors["contract_name"] = f"{name} {version} has no metadata record to link to"
        target_name = _cell_text(row, self.target_column)
        target = self._targets.get(target_name)
        if target is None:
            errors[self.target_column] = self.unknown_target(target_name)
        if errors:
            raise ValidationError(errors)
        return link_model, contract.metadata_record, target

    def existing_link(self, row):
        link_model, record, target = self._resolve(row)
        return link_model.objects.filter(metadata_record=record, **{self.target: target}).first()

    def init_instance(self, row=None):
        link_model, record, target = self._resolve(row)
        return link_model(metadata_record=record, **{self.target: target})

    def get_queryset(self):
        return _LinksOfEveryRole({
            role: link_model.objects.filter(
                metadata_record__data_contract__space=self.space,
                metadata_record__data_contract__metadata_record=F("metadata_record"),
            )
            .select_related("metadata_record__data_contract", self.target)
            .order_by(
                "metadata_record__data_contract__name",
                "metadata_record__data_contract__version",
                f"{self.target}_id",
            )
            .seal()
            for role, link_model in self.links_by_role.items()
        })

    def filter_export(self, queryset, contract=None, **kwargs):
        if contract is not None:
            queryset = queryset.filter(metadata_record__data_contract__name=contract)
        return queryset

    def dehydrate_contract_name(self, link):
        return link.metadata_record.data_contract.name

    def dehydrate_contract_version(self, link):
        return link.metadata_record.data_contract.version

    def dehydrate_role(self, link):
        return self._roles_by_model[type(link)]


class OwnershipLinkResource(_LinkResource):
    """Owners by ownership role (business_owners, bu_sme, ...) on the space's contracts."""

    registry_name = "ownership-links"

    links_by_role = OWNERSHIP_ROLE_LINKS
    target = "owner"
    target_column = "owner_id"

    owner_id = fields.Field(column_name="owner_id")

    class Meta:
        import_id_fields = ["contract_name", "contract_version", "role", "owner_id"]

    @cached_property
    def _targets(self):
        return {owner.pk: owner for owner in Owner.objects.filter(organization=self.organization)}

    def unknown_target(self, name):
        return f"no owner {name!r} in this organization"

    def dehydrate_owner_id(self, link):
        return link.owner_id

    def do_instance_save(self, instance, is_create):
        link, _ = ownership_link_add(
            metadata_record=instance.metadata_record, role=self._roles_by_model[type(instance)],
            owner=instance.owner, actor=self.actor,
        )
        instance.pk = link.pk


class SystemLinkResource(_LinkResource):
    """Systems by lineage role (pulls_from, pushes_to, system_sources) of the space's contracts."""

    registry_name = "system-links"

    links_by_role = SYSTEM_ROLE_LINKS
    target = "system"
    target_column = "system_name"

    system_name = fields.Field(column_name="system_name")

    class Meta:
        import_id_fields = ["contract_name", "contract_version", "role", "system_name"]

    @cached_property
    def _targets(self):
        return {
            system.name: system for system in System.objects.filter(organization=self.organization)
        }

    def unknown_target(self, name):
        return f"no system {name!r} in this organization"

    def dehydrate_system_name(self, link):
        return link.system.name

    def do_instance_save(self, instance, is_create):
        link, _ = system_link_add(
            metadata_record=instance.metadata_record, role=self._roles_by_model[type(instance)],
            system=instance.system, actor=self.actor,
        )
        instance.pk = link.pk
