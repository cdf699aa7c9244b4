"""The ERD's join tables: owners by role, systems by role, and domains of a metadata record.

Each link belongs to its metadata record's space; the owner, system or domain
must belong to the same organization (checked by the services, since a
ForeignKey's own validation cannot see tenancy). The pair is unique, exactly as
in the ERD, because PyCharter clients upsert links with ON CONFLICT on it.
"""

from django.db import models
from seal.models import SealableModel

from contracts.models.base import created_at_field, uuid_primary_key
from tenancy.scoping import space_scoped_manager


class MetadataRecordLink(SealableModel):
    id = uuid_primary_key()
    metadata_record = models.ForeignKey(
        "contracts.MetadataRecord", on_delete=models.CASCADE, verbose_name="metadata record"
    )
    created_at = created_at_field()

    objects = space_scoped_manager("metadata_record__data_contract__space")

    class Meta:
        abstract = True


class OwnerLink(MetadataRecordLink):
    """An owner holding one of the five ownership roles on a metadata record."""

    owner = models.ForeignKey("contracts.Owner", on_delete=models.CASCADE, verbose_name="owner")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.owner_id} ({self._meta.verbose_name})"


class SystemLink(MetadataRecordLink):
    """A system in one of the three lineage roles of a metadata record."""

    system = models.ForeignKey("contracts.System", on_delete=models.CASCADE, verbose_name="system")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.system_id} ({self._meta.verbose_name})"


def _pair_key(table, other):
    """The ERD's unique (metadata_record_id, <other>_id) pair, named within 63 bytes."""
    return [models.UniqueConstraint(fields=["metadata_record", other], name=f"{table}_pair_key")]


class MetadataRecordBusinessOwner(OwnerLink):
    class Meta:
        db_table = "metadata_record_business_owners"
        verbose_name = "business owner"
        constraints = _pair_key("metadata_record_business_owners", "owner")


class MetadataRecordBUSME(OwnerLink):
    class Meta:
        db_table = "metadata_record_bu_sme"
        verbose_name = "BU SME"
        verbose_name_plural = "BU SMEs"
        constraints = _pair_key("metadata_record_bu_sme", "owner")


class MetadataRecordITApplicationOwner(OwnerLink):
    class Meta:
        db_table = "metadata_record_it_application_owners"
        verbose_name = "IT application owner"
        constraints = _pair_key("metadata_record_it_application_owners", "owner")


class MetadataRecordITSME(OwnerLink):
    class Meta:
        db_table = "metadata_record_it_sme"
        verbose_name = "IT SME"
        verbose_name_plural = "IT SMEs"
        constraints = _pair_key("metadata_record_it_sme", "owner")


class MetadataRecordSupportLead(OwnerLink):
    class Meta:
        db_table = "metadata_record_support_lead"
        verbose_name = "support lead"
        constraints = _pair_key("metadata_record_support_lead", "owner")


class MetadataRecordSystemPull(SystemLink):
    class Meta:
        db_table = "metadata_record_system_pulls"
        verbose_name = "pulls from"
        verbose_name_plural = "pulls from"
        constraints = _pair_key("metadata_record_system_pulls", "system")


class MetadataRecordSystemPush(SystemLink):
    class Meta:
        db_table = "metadata_record_system_pushes"
        verbose_name = "pushes to"
        verbose_name_plural = "pushes to"
        constraints = _pair_key("metadata_record_system_pushes", "system")


class MetadataRecordSystemSource(SystemLink):
    class Meta:
        db_table = "metadata_record_system_sources"
        verbose_name = "source system"
        constraints = _pair_key("metadata_record_system_sources", "system")


class MetadataRecordDomain(MetadataRecordLink):
    """A domain the metadata record belongs to."""

    domain = models.ForeignKey("contracts.Domain", on_delete=models.CASCADE, verbose_name="domain")

    class Meta:
        db_table = "metadata_record_domains"
        verbose_name = "domain link"
        constraints = _pair_key("metadata_record_domains", "domain")

    def __str__(self):
        return str(self.domain_id)


# Role name (as PyCharter documents and the metadata record's fields call it) -> link model.
OWNERSHIP_ROLE_LINKS = {
    "business_owners": MetadataRecordBusinessOwner,
    "bu_sme": MetadataRecordBUSME,
    "it_application_owners": MetadataRecordITApplicationOwner,
    "it_sme": MetadataRecordITSME,
    "support_lead": MetadataRecordSupportLead,
}
SYSTEM_ROLE_LINKS = {
    "pulls_from": MetadataRecordSystemPull,
    "pushes_to": MetadataRecordSystemPush,
    "system_sources": MetadataRecordSystemSource,
}
