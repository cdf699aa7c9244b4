"""A list asked for without query parameters skips its FilterSet: none filters on nothing."""

import pytest
from django.http import QueryDict
from django.urls import URLResolver, get_resolver

from tests.api_helpers import results, token_client
from tests.factories import DataContractFactory

pytestmark = pytest.mark.django_db


def _api_filtersets(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_filtersets(pattern.url_patterns)
        elif (filterset_class := getattr(getattr(pattern.callback, "cls", None),
                                         "filterset_class", None)):
            yield filterset_class


def test_the_api_has_filtered_lists():
    assert len(set(_api_filtersets())) >= 5


@pytest.mark.parametrize("filterset_class", sorted(set(_api_filtersets()),
                                                   key=lambda found: found.__name__))
def test_no_filterset_filters_when_no_parameter_is_given(filterset_class):
    queryset = filterset_class._meta.model._base_manager.all()

    filterset = filterset_class(QueryDict(), queryset=queryset)

    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)


def test_a_list_with_parameters_is_still_filtered(space, unscoped):
    DataContractFactory(space=space, name="flights")
    DataContractFactory(space=space, name="crews")
    client = token_client(space)

    everything = client.get("/api/v1/contracts/")
    named = client.get("/api/v1/contracts/", {"name": "crews"})
    refused = client.get("/api/v1/contracts/", {"updated_since": "yesterday"})

    assert sorted(row["name"] for row in results(everything)) == ["crews", "flights"]
    assert [row["name"] for row in results(named)] == ["crews"]
    assert refused.status_code == 400
