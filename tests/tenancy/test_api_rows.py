"""Rows of a list come out of the API exactly as DRF's own field-by-field path gives them."""

import datetime

import pytest
from django.utils import timezone
from rest_framework import serializers

from quality.api.serializers import ViolationSerializer
from quality.api.views import _violations
from tenancy.api.serializers import RowsListSerializer
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


def _drf(serializer_class, rows):
    return serializers.ListSerializer(child=serializer_class()).to_representation(rows)


def test_a_page_of_violation_rows_is_what_drf_gives(space, steward):
    contract = factories.DataContractFactory(space=space)
    factories.QualityViolationFactory(data_contract=contract, record_data={"age": -3, "x": None},
                                      severity="critical", assignee=steward, status="resolved",
                                      resolved_at=datetime.datetime(2024, 5, 1, 12, 30,
                                                                    tzinfo=datetime.UTC))
    factories.QualityViolationFactory(data_contract=contract, record_data=None, rule=None,
                                      error_message="")
    rows = list(_violations().order_by("record_identifier"))

    represented = ViolationSerializer(rows, many=True).data

    assert represented == _drf(ViolationSerializer, rows)
    assert {row["resolved_at"] for row in represented} == {"2024-05-01T12:30:00Z", None}


def test_moments_are_shown_in_the_current_time_zone_as_drf_shows_them(space):
    factories.QualityViolationFactory(
        data_contract=factories.DataContractFactory(space=space),
        check_timestamp=datetime.datetime(2024, 5, 1, 23, 30, tzinfo=datetime.UTC))
    rows = list(_violations())

    with timezone.override("Asia/Hong_Kong"):
        represented = ViolationSerializer(rows, many=True).data
        assert represented == _drf(ViolationSerializer, rows)
    assert represented[0]["check_timestamp"] == "2024-05-02T07:30:00+08:00"
    assert ViolationSerializer(rows, many=True).data[0]["check_timestamp"] == "2024-05-01T23:30:00Z"


def test_model_instances_take_drfs_own_path(space):
    class NameSerializer(serializers.Serializer):
        name = serializers.CharField()

        class Meta:
            list_serializer_class = RowsListSerializer

    contracts = factories.DataContractFactory.create_batch(2, space=space)

    assert NameSerializer(contracts, many=True).data == [{"name": contract.name}
                                                         for contract in contracts]


def test_a_field_that_reads_a_path_is_refused():
    class NestedSerializer(serializers.Serializer):
        space = serializers.CharField(source="space.slug")

        class Meta:
            list_serializer_class = RowsListSerializer

    with pytest.raises(TypeError, match="read one key each"):
        NestedSerializer([{"space": {"slug": "flights"}}], many=True).data  # noqa: B018
