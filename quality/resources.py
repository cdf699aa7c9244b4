"""django-import-export resource of quality violations, and the registry of every resource.

`RESOURCES` maps the names the `import_data` and `export_data` commands take to the
resource classes, each built with `space=` and `actor=` (see `contracts.resources`).
"""

import json
import uuid
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields

from contracts.resources import (
    DataContractResource,
    DomainResource,
    OwnerResource,
    OwnershipLinkResource,
    SystemLinkResource,
    SystemResource,
    TenantModelResource,
    checked_status,
)
from quality.bulk.violations import (
    EXPORTED_COLUMNS,
    JSON_COLUMNS,
    REQUIRED_COLUMNS,
    WRITTEN_COLUMNS,
    ViolationCleaner,
)
from quality.models import QualityViolation, ViolationStatus
from quality.services.violation_counts import violation_counts_recount
from tenancy.audit import audit_record_batch, audited


class QualityViolationResource(TenantModelResource):
    """The space's quality violations, one row each, the contract named by name and version.

    An import adds the rows without an `id` as new violations, checked by the same
    `ViolationCleaner` as the streaming `import_data violations`. A row with an `id`
    (an export read back) names an existing violation of the space: it is left as it
    is and reported as skipped, since triage keeps its own history in the admin.
    """

    registry_name = "violations"

    skipped_row_outcome = "skipped"
    required_columns = REQUIRED_COLUMNS
    export_filters = ("contract", "status")

    contract_name = fields.Field(
        attribute="data_contract__name", column_name="contract_name", readonly=True
    )
    contract_version = fields.Field(
        attribute="data_contract__version", column_name="contract_version", readonly=True
    )

    assignee = fields.Field(
        attribute="assignee__username", column_name="assignee", readonly=True
    )

    class Meta:
        model = QualityViolation
        fields = EXPORTED_COLUMNS
        export_order = EXPORTED_COLUMNS
        import_id_fields = ["id"]

    @cached_property
    def cleaner(self):
        return ViolationCleaner(space=self.space, checked_at=timezone.now())

    @cached_property
    def written_contract_ids(self):
        return set()

    @audited
    def import_data(self, dataset, **kwargs):
        return super().import_data(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        new = 0 if result.has_errors() or result.has_validation_errors() else result.totals["new"]
        if new:
            violation_counts_recount(contract_ids=self.written_contract_ids)
        # Also drops the field entries of the rows saved: the batch entry stands for them,
        # and a failed import rolls them back.
        audit_record_batch(
            model=QualityViolation, action="imported", space=self.space, count=new,
            details={"count": new, "skipped": result.totals["skip"],
                     "file": kwargs.get("file_name") or ""},
            record=bool(new),
        )

    def get_queryset(self):
        return (
            QualityViolation.objects.filter(space=self.space)
            .select_related("data_contract", "assignee")
            .order_by("-check_timestamp", "id")
            .seal()
        )

    def filter_export(self, queryset, contract=None, status=None, **kwargs):
        if contract is not None:
            queryset = queryset.filter(data_contract__name=contract)
        if status is not None:
            queryset = queryset.filter(status=checked_status(status, ViolationStatus.values))
        return queryset

    def get_instance(self, instance_loader, row):
        identifier = row.get("id")
        if identifier is None or identifier == "":
            return None
        try:
            uuid.UUID(str(identifier))
        except ValueError:
            raise ValidationError(
                {"id": f"{identifier!r} is not a violation id (a UUID)"}
            ) from None
        return super().get_instance(instance_loader, row)

    def init_instance(self, row=None):
        identifier = row.get("id") if row else None
        if identifier is not None and identifier != "":
            raise ValidationError({"id": f"no violation with id {str(identifier)!r} in this space"})
        return QualityViolation(space=self.space)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The cleaner checked every column: a row it refused has no values to clean again.
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def import_instance(self, instance, row, **kwargs):
        if not instance._state.adding:
            return  # an existing violation is left as it is (skip_row skips it)
        values, problems = self.cleaner.clean(row)
        if problems:
            errors = {}
            for column, message in problems:
                errors.setdefault(column, []).append(message)
            raise ValidationError(errors)
        self.written_contract_ids.add(values[0])
        for column, value in zip(WRITTEN_COLUMNS, values, strict=True):
            setattr(instance, column,
                    json.loads(value) if column in JSON_COLUMNS and value is not None else value)


#: The names `import_data` and `export_data` take -> resource class.
RESOURCES = {
    resource.registry_name: resource
    for resource in (OwnerResource, SystemResource, DomainResource, DataContractResource,
                     OwnershipLinkResource, SystemLinkResource, QualityViolationResource)
}
