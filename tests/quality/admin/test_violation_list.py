"""The violations list: what a steward sees, filters and finds, and only in their spaces."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quality.admin.base import CappedCountPaginator
from tests import factories
from tests.quality.admin.helpers import listed, signed_in, violations_url

pytestmark = pytest.mark.usefixtures("unscoped")


def _violation(contract, record_identifier, **fields):
    return factories.QualityViolationFactory(data_contract=contract,
                                             record_identifier=record_identifier, **fields)


def _filter_choices(response, title):
    [spec] = [spec for spec in response.context["cl"].filter_specs if spec.title == title]
    return [choice["display"] for choice in spec.choices(response.context["cl"])]


def test_a_steward_lists_the_violations_of_their_spaces_newest_first(
    contract, steward_client, foreign_violation
):
    now = timezone.now()
    _violation(contract, "older", check_timestamp=now - timedelta(hours=2))
    _violation(contract, "newer", check_timestamp=now - timedelta(hours=1))

    response = steward_client.get(violations_url())

    assert response.status_code == 200
    assert listed(response) == ["newer", "older"]
    assert b"zz_foreign" not in response.content


def test_needs_work_shows_open_acknowledged_and_assigned_violations(contract, steward_client):
    for status in ("open", "acknowledged", "assigned", "resolved", "ignored"):
        _violation(contract, status, status=status)

    needs_work = steward_client.get(violations_url("status=unresolved"))
    closed = steward_client.get(violations_url("status=closed"))
    ignored = steward_client.get(violations_url("status=ignored"))

    assert sorted(listed(needs_work)) == ["acknowledged", "assigned", "open"]
    assert sorted(listed(closed)) == ["ignored", "resolved"]
    assert listed(ignored) == ["ignored"]


def test_the_list_filters_by_contract_severity_and_assignee(
    contract, space, steward, steward_client, colleague
):
    other_contract = factories.DataContractFactory(space=space, name="bookings")
    _violation(contract, "mine", assignee=steward, status="assigned", severity="critical")
    _violation(contract, "colleagues", assignee=colleague, status="assigned", severity="info")
    _violation(contract, "nobodys", severity="critical")
    _violation(other_contract, "elsewhere", severity="critical")

    by_contract = steward_client.get(violations_url(f"data_contract__id__exact={contract.pk}"))
    critical = steward_client.get(violations_url("severity__exact=critical"))
    mine = steward_client.get(violations_url("assignee=me"))
    nobody = steward_client.get(violations_url("assignee=nobody"))
    colleagues = steward_client.get(violations_url(f"assignee={colleague.pk}"))

    assert sorted(listed(by_contract)) == ["colleagues", "mine", "nobodys"]
    assert sorted(listed(critical)) == ["elsewhere", "mine", "nobodys"]
    assert listed(mine) == ["mine"]
    assert sorted(listed(nobody)) == ["elsewhere", "nobodys"]
    assert listed(colleagues) == ["colleagues"]


def test_the_contract_space_and_assignee_filters_offer_only_the_users_own(
    contract, space, organization, steward, steward_client, colleague, foreign_violation
):
    factories.DataContractFactory(space=space, name="bookings", version="2.1.0")
    second_space = factories.SpaceFactory(organization=organization, name="Second")
    factories.MembershipFactory(space=second_space, user=steward)

    response = steward_client.get(violations_url())

    assert sorted(_filter_choices(response, "data contract")) == sorted([
        "All", "bookings 2.1.0", f"flights {contract.version}", "-"])
    assert sorted(_filter_choices(response, "space")) == sorted(["All", "Second", space.name])
    assert _filter_choices(response, "assignee") == [
        "All", "Me", "Nobody", "colleague", steward.username]


def test_field_and_error_type_filters_offer_the_values_of_the_chosen_contract(
    contract, space, steward_client, foreign_violation
):
    _violation(contract, "age", field_name="age", error_type="validation_error")
    _violation(contract, "email", field_name="email", error_type="type_error")
    _violation(factories.DataContractFactory(space=space), "seat", field_name="seat")

    every_contract = steward_client.get(violations_url())
    one_contract = steward_client.get(violations_url(f"data_contract__id__exact={contract.pk}"))
    by_field = steward_client.get(violations_url("field_name=email"))
    by_error_type = steward_client.get(violations_url("error_type=validation_error"))

    assert _filter_choices(every_contract, "field") == ["All", "age", "email", "seat"]
    assert _filter_choices(one_contract, "field") == ["All", "age", "email"]
    assert _filter_choices(one_contract, "error type") == ["All", "type_error",
                                                           "validation_error"]
    assert listed(by_field) == ["email"]
    assert sorted(listed(by_error_type)) == ["age", "seat"]


def test_the_check_date_range_includes_both_days(contract, steward_client):
    def at(day):
        return timezone.make_aware(datetime(2026, 3, day, 12))

    for day in (1, 2, 3, 4):
        _violation(contract, f"march_{day}", check_timestamp=at(day))

    response = steward_client.get(
        violations_url("checked_since=2026-03-02&checked_until=2026-03-03")
    )
    since = steward_client.get(violations_url("checked_since=2026-03-04"))

    assert listed(response) == ["march_3", "march_2"]
    assert listed(since) == ["march_4"]
    assert b'value="2026-03-02"' in response.content


def test_a_date_that_is_not_one_is_refused_without_an_error_page(contract, steward_client):
    response = steward_client.get(violations_url("checked_since=yesterday"))

    assert response.status_code == 302
    assert response["Location"] == violations_url("e=1")


def test_search_finds_violations_by_record_identifier_prefix(
    contract, steward_client, foreign_violation
):
    _violation(contract, "user_12")
    _violation(contract, "user_123")
    _violation(contract, "admin_user_12")

    found = steward_client.get(violations_url("q=user_12"))
    foreign = steward_client.get(violations_url("q=zz_foreign"))

    assert sorted(listed(found)) == ["user_12", "user_123"]
    assert listed(foreign) == []


def test_search_finds_violations_by_message_text(contract, steward_client, foreign_violation):
    _violation(contract, "young", error_message="age must be at least 18")
    _violation(contract, "late", error_message="departure must be before arrival")
    foreign_violation.error_message = "zz_foreign must be at least 18"
    foreign_violation.save()

    found = steward_client.get(violations_url("q=MUST+BE+AT+LEAST"))

    assert listed(found) == ["young"]


def test_the_list_shows_the_start_of_each_error_message(contract, steward_client):
    long_message = "amount " + "x" * 200
    _violation(contract, "short", error_message="age must be at least 18",
                check_timestamp=timezone.now())
    _violation(contract, "long", error_message=long_message,
                check_timestamp=timezone.now() - timedelta(minutes=1))

    response = steward_client.get(violations_url())

    content = response.content.decode()
    assert '<th scope="col" class="column-message">' in content
    assert '<td class="field-message"><span class="quality-message" title="age must be at ' \
           'least 18">age must be at least 18</span></td>' in content
    assert f'title="{long_message}">{long_message[:89]}…</span>' in content


def test_filter_choices_name_only_what_the_users_spaces_hold(
    contract, space, steward_client, colleague, foreign_violation, other_steward
):
    _violation(contract, "mine")

    response = steward_client.get(violations_url())

    assert _filter_choices(response, "data contract") == ["All", "flights 1.0.0", "-"]
    assert _filter_choices(response, "assignee") == [
        "All", "Me", "Nobody", *sorted(["colleague", response.wsgi_request.user.username])
    ]
    assert other_steward.username.encode() not in response.content
    assert b"zz_foreign" not in response.content


def test_an_organization_admin_lists_every_space_of_the_organization(
    organization, space, contract, foreign_violation
):
    second_space = factories.SpaceFactory(organization=organization, name="Cargo")
    _violation(contract, "flights")
    _violation(factories.DataContractFactory(space=second_space), "cargo")
    administrator = factories.OrganizationAdminFactory(organization=organization).user

    response = signed_in(administrator).get(violations_url())

    assert sorted(listed(response)) == ["cargo", "flights"]
    assert _filter_choices(response, "space") == ["All", "Cargo", "Flights"]


def test_below_the_exact_limit_the_count_is_exact(contract, steward_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "exact_count_limit", 3)
    for number in range(3):
        _violation(contract, f"user_{number}")

    response = steward_client.get(violations_url())

    assert response.context["cl"].result_count == 3
    assert b"about 3" not in response.content
    assert b"3 quality violations" in response.content


#: A filter the violation counts do not answer: the list counts the violations.
UNCOUNTED_FILTER = "priority__exact=medium"


def test_above_the_exact_limit_sqlite_still_counts(contract, steward_client, monkeypatch):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL estimates instead (next test)")
    monkeypatch.setattr(CappedCountPaginator, "exact_count_limit", 3)
    for number in range(5):
        _violation(contract, f"user_{number}")

    response = steward_client.get(violations_url(UNCOUNTED_FILTER))

    assert response.context["cl"].result_count == 5
    assert b"about" not in response.content


def test_above_the_exact_limit_postgresql_estimates_instead_of_counting_the_table(
    requires_postgresql, contract, steward_client, monkeypatch
):
    monkeypatch.setattr(CappedCountPaginator, "exact_count_limit", 3)
    for number in range(5):
        _violation(contract, f"user_{number}")

    with CaptureQueriesContext(connection) as queries:
        response = steward_client.get(violations_url(UNCOUNTED_FILTER))

    paginator = response.context["cl"].paginator
    assert paginator.count_is_estimate is True
    assert paginator.count >= 4
    assert f"about {paginator.count} quality violations".encode() in response.content
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert counts and all("LIMIT 4" in sql for sql in counts)
    assert any(query["sql"].startswith("EXPLAIN") for query in queries.captured_queries)


def _counts_of_violations(queries):
    return [query["sql"] for query in queries.captured_queries
            if "COUNT(" in query["sql"].upper() and '"quality_violations"' in query["sql"]]


@pytest.mark.parametrize("query", [
    "", "status=unresolved", "status=resolved", "severity__exact=critical",
    "field_name=age&error_type=validation_error", "assignee=nobody&status=open",
])
def test_the_count_under_the_list_comes_from_the_violation_counts(
    query, contract, space, steward, steward_client, foreign_violation
):
    other_contract = factories.DataContractFactory(space=space, name="bookings")
    for number, status in enumerate(("open", "open", "resolved", "acknowledged", "assigned")):
        _violation(contract, f"user_{number}", status=status,
                   severity="critical" if number % 2 else "info",
                   assignee=steward if status == "assigned" else None)
    _violation(other_contract, "other", field_name="email")
    expected = steward_client.get(violations_url(query + "&o=1" if query else "o=1"))

    with CaptureQueriesContext(connection) as queries:
        response = steward_client.get(
            violations_url(f"data_contract__id__exact={contract.pk}&{query}"))
        unfiltered = steward_client.get(violations_url(query))

    assert response.context["cl"].result_count == len(listed(response))
    assert unfiltered.context["cl"].result_count == len(listed(expected))
    assert _counts_of_violations(queries) == []
    assert b"about" not in response.content


def test_filters_the_counts_cannot_answer_count_the_violations(contract, steward_client):
    _violation(contract, "urgent", priority="urgent")
    _violation(contract, "low", priority="low")

    with CaptureQueriesContext(connection) as queries:
        response = steward_client.get(violations_url("priority__exact=urgent&q=urg"))

    assert response.context["cl"].result_count == 1
    assert listed(response) == ["urgent"]
    assert len(_counts_of_violations(queries)) == 1


def test_pages_beyond_the_cap_are_not_offered(contract, steward_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "max_pages", 2)
    monkeypatch.setattr("quality.admin.violations.QualityViolationAdmin.list_per_page", 2)
    for number in range(7):
        _violation(contract, f"user_{number}")

    second = steward_client.get(violations_url("p=2"))
    beyond = steward_client.get(violations_url("p=3"))

    assert len(listed(second)) == 2
    assert second.context["cl"].result_count == 7
    assert b"the newest 2 pages; filter to reach older ones" in second.content
    assert beyond.status_code == 302 and "e=1" in beyond.url
