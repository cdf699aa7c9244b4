"""The admin shows moments in the site's time zone, to the minute."""

from datetime import UTC, datetime

from tenancy.moments import short_moment


def test_a_moment_shows_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"

    assert short_moment(datetime(2026, 1, 15, 12, 0, 59, tzinfo=UTC)) == "2026-01-15 13:00"
    assert short_moment(datetime(2026, 7, 15, 12, 0, tzinfo=UTC)) == "2026-07-15 14:00"
