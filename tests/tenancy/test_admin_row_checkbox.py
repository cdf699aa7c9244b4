"""A list's row checkboxes are the HTML Django's checkbox widget renders, escaping and all."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin

from contracts.models import DataContract
from quality.models import QualityViolation
from tests import factories

pytestmark = pytest.mark.usefixtures("unscoped")


@pytest.mark.parametrize("name", ["flight_bookings", 'a<b>"c&\'d'])
def test_a_contract_rows_checkbox_is_djangos(space, name):
    contract = factories.DataContractFactory.build(space=space, name=name)
    model_admin = admin.site.get_model_admin(DataContract)

    assert model_admin.action_checkbox(contract) == ModelAdmin.action_checkbox(model_admin,
                                                                                contract)


def test_a_violation_rows_checkbox_is_djangos(space):
    violation = factories.QualityViolationFactory(
        data_contract=factories.DataContractFactory(space=space), record_identifier="<r1>")
    model_admin = admin.site.get_model_admin(QualityViolation)

    rendered = model_admin.action_checkbox(violation)

    assert rendered == ModelAdmin.action_checkbox(model_admin, violation)
    assert f'value="{violation.pk}"' in rendered
