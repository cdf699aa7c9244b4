"""factory_boy factories: children inherit their parent's tenant."""

import factory
from django.contrib.auth import get_user_model

from contracts.models import (
    CoercionRuleSet,
    DataContract,
    Domain,
    MetadataRecord,
    Owner,
    Schema,
    System,
    ValidationRuleSet,
)
from quality.models import QualityMetric, QualityViolation
from quality.services.violation_counts import violation_counts_rebuild, violation_counts_recount
from tenancy.models import Membership, Organization, OrganizationAdmin, Role, Space


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda number: f"user{number}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda number: f"Organization {number}")
    slug = factory.Sequence(lambda number: f"organization-{number}")


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda number: f"Space {number}")
    slug = factory.Sequence(lambda number: f"space-{number}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    space = factory.SubFactory(SpaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STEWARD


class OrganizationAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationAdmin

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    id = factory.Sequence(lambda number: f"owner_{number}")
    name = factory.Sequence(lambda number: f"Owner {number}")
    email = factory.LazyAttribute(lambda owner: f"{owner.id}@example.com")
    team = "data-engineering"
    organization = factory.SubFactory(OrganizationFactory)


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System

    name = factory.Sequence(lambda number: f"SYS{number}")
    app_id = factory.LazyAttribute(lambda system: f"APP{system.name}")
    organization = factory.SubFactory(OrganizationFactory)


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    name = factory.Sequence(lambda number: f"DOMAIN{number}")
    organization = factory.SubFactory(OrganizationFactory)


class DataContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataContract

    name = factory.Sequence(lambda number: f"contract_{number}")
    version = "1.0.0"
    status = "draft"
    description = "A contract made by a test."
    space = factory.SubFactory(SpaceFactory)


USER_SCHEMA = {
    "type": "object",
    "title": "User",
    "properties": {
        "user_id": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
    },
    "required": ["user_id"],
}


class SchemaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schema

    title = "User"
    data_contract = factory.SubFactory(DataContractFactory)
    version = "1.0.0"
    schema_data = factory.LazyFunction(lambda: dict(USER_SCHEMA))


class CoercionRuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoercionRuleSet

    title = "user_coercion_rules"
    data_contract = factory.SubFactory(DataContractFactory)
    version = "1.0.0"
    rules = factory.LazyFunction(lambda: {"age": "coerce_to_integer"})


class ValidationRuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValidationRuleSet

    title = "user_validation_rules"
    data_contract = factory.SubFactory(DataContractFactory)
    version = "1.0.0"
    rules = factory.LazyFunction(
        lambda: {"age": {"greater_than_or_equal_to": {"threshold": 0}}}
    )


class MetadataRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetadataRecord

    title = "user"
    data_contract = factory.SubFactory(DataContractFactory)
    version = "1.0.0"
    status = "draft"
    type = "object"
    governance_rules = factory.LazyFunction(lambda: {"data_retention": {"days": 365}})


class QualityMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityMetric

    data_contract = factory.SubFactory(DataContractFactory)
    space = factory.SelfAttribute("data_contract.space")
    schema_id = factory.LazyAttribute(lambda metric: str(metric.data_contract.schema_id or ""))
    schema_version = "1.0.0"
    overall_score = 95.0
    violation_rate = 0.02
    completeness = 0.98
    accuracy = 0.97
    record_count = 1000
    valid_count = 980
    invalid_count = 20
    violation_count = 20
    field_scores = factory.LazyFunction(lambda: {"user_id": 100.0, "age": 95.0})
    threshold_breaches = factory.LazyFunction(list)
    passed = "true"


class QualityViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityViolation

    data_contract = factory.SubFactory(DataContractFactory)
    space = factory.SelfAttribute("data_contract.space")
    schema_id = "user"
    schema_version = "1.0.0"
    record_identifier = factory.Sequence(lambda number: f"user_{number}")
    record_data = factory.LazyFunction(lambda: {"user_id": "1", "age": -3})
    field_name = "age"
    error_type = "validation_error"
    error_message = "age must be greater than or equal to 0"
    severity = "warning"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the site's writers save violations: counted in the violation counts."""
        violation = super()._create(model_class, *args, **kwargs)
        if violation.data_contract_id is not None:
            violation_counts_recount(contract_ids=[violation.data_contract_id])
        else:
            violation_counts_rebuild(space_ids=[violation.space_id])
        return violation
