"""What the API shows of contracts and reference data, and what it accepts for upserts."""

from rest_framework import serializers

from contracts.documents.bundle import OWNERSHIP_ROLES, SYSTEM_ROLES
from contracts.models import DataContract, Domain, Owner, System
from tenancy.api.serializers import RowsListSerializer


class ContractSerializer(serializers.ModelSerializer):
    space = serializers.CharField(
        source="space_label", read_only=True,
        help_text="`organization-slug/space-slug`, the name commands use.",
    )

    class Meta:
        model = DataContract
        fields = ["id", "name", "version", "status", "description", "space", "schema_version",
                  "coercion_rules_version", "validation_rules_version", "metadata_version",
                  "created_by", "updated_by", "created_at", "updated_at"]
        read_only_fields = fields
        list_serializer_class = RowsListSerializer


class ContractLinksSerializer(serializers.Serializer):
    owners = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    systems = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    domains = serializers.ListField(child=serializers.CharField())

    def to_representation(self, links):
        return {
            "owners": {role: [owner.pk for owner in links.owners[role]]
                       for role in OWNERSHIP_ROLES},
            "systems": {role: [system.name for system in links.systems[role]]
                        for role in SYSTEM_ROLES},
            "domains": [domain.name for domain in links.domains],
        }


class ContractDetailSerializer(ContractSerializer):
    links = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "links"]
        read_only_fields = fields

    def get_links(self, contract) -> dict:
        return ContractLinksSerializer(self.context["links"]).data


class ContractVersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.CharField()
    status = serializers.CharField(allow_null=True)


class ChangeSerializer(serializers.Serializer):
    component = serializers.CharField()
    field = serializers.CharField()
    subject = serializers.CharField()
    kind = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    breaking = serializers.BooleanField()
    explanation = serializers.CharField()


class ContractDiffSerializer(serializers.Serializer):
    older = ContractVersionSerializer()
    newer = ContractVersionSerializer()
    is_breaking = serializers.BooleanField()
    changes = ChangeSerializer(many=True)


class OwnerSerializer(serializers.ModelSerializer):
    id = serializers.CharField(max_length=255)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Owner
        fields = ["id", "name", "email", "team", "additional_info", "organization",
                  "created_at", "updated_at"]
        read_only_fields = ["organization", "created_at", "updated_at"]


class SystemSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = System
        fields = ["id", "name", "app_id", "description", "provider_type", "config", "is_active",
                  "organization", "created_at", "updated_at"]
        read_only_fields = ["id", "organization", "created_at", "updated_at"]


class DomainSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Domain
        fields = ["id", "name", "description", "organization", "created_at", "updated_at"]
        read_only_fields = ["id", "organization", "created_at", "updated_at"]


class ReferenceUpsertOptions(serializers.Serializer):
    organization = serializers.SlugField(
        required=False,
        help_text="The organization's slug; needed only by accounts that edit several.",
    )


class OwnerUpsertSerializer(ReferenceUpsertOptions):
    id = serializers.CharField(max_length=255)
    name = serializers.CharField(max_length=255, required=False, allow_null=True)
    email = serializers.EmailField(max_length=255, required=False, allow_null=True)
    team = serializers.CharField(max_length=255, required=False, allow_null=True)
    additional_info = serializers.JSONField(required=False, allow_null=True)


class SystemUpsertSerializer(ReferenceUpsertOptions):
    name = serializers.CharField(max_length=255)
    app_id = serializers.CharField(max_length=255, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    provider_type = serializers.CharField(max_length=30, required=False, allow_null=True)
    config = serializers.JSONField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class DomainUpsertSerializer(ReferenceUpsertOptions):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_null=True, allow_blank=True)
