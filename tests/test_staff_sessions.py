"""Staff sessions end after inactivity and absolutely after SESSION_COOKIE_AGE; the next request
goes to the sign-in with a message. Citizens' sessions are not touched by the staff rule."""

import pytest
from django.urls import reverse
from django.utils import timezone

from amtsweg.identity.staff.sessions import SESSION_KEY
from tests.staff_login import login_staff

LOGIN = reverse("identity:login")


@pytest.fixture
def inbox() -> str:
    return reverse("cases:inbox", args=["darmstadt"])


def set_clock(client, *, started_minutes_ago: float, seen_minutes_ago: float) -> None:
    now = timezone.now().timestamp()
    session = client.session
    session[SESSION_KEY] = {
        "started": now - started_minutes_ago * 60,
        "seen": now - seen_minutes_ago * 60,
    }
    session.save()


def test_idle_staff_session_ends_with_a_message(client, settings, darmstadt_clerk, inbox):
    settings.AMTSWEG_STAFF_SESSION_IDLE_MINUTES = 30
    login_staff(client, darmstadt_clerk)
    set_clock(client, started_minutes_ago=40, seen_minutes_ago=29)
    assert client.get(inbox).status_code == 200  # still in time, and the visit counts
    assert timezone.now().timestamp() - client.session[SESSION_KEY]["seen"] < 5

    set_clock(client, started_minutes_ago=60, seen_minutes_ago=31)
    response = client.get(inbox)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={inbox}"
    page = client.get(response["Location"])
    notes = list(page.context["messages"])
    assert len(notes) == 1
    assert notes[0].level_tag == "warning"
    assert "30" in str(notes[0])
    assert not page.wsgi_request.user.is_authenticated
    assert client.get(inbox)["Location"].startswith(LOGIN)


def test_idle_minutes_come_from_the_setting(client, settings, darmstadt_clerk, inbox):
    settings.AMTSWEG_STAFF_SESSION_IDLE_MINUTES = 5
    login_staff(client, darmstadt_clerk)
    set_clock(client, started_minutes_ago=6, seen_minutes_ago=6)
    assert client.get(inbox)["Location"].startswith(LOGIN)


def test_a_busy_session_still_ends_after_session_cookie_age(
    client, settings, darmstadt_clerk, inbox
):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    login_staff(client, darmstadt_clerk)
    set_clock(client, started_minutes_ago=8 * 60 - 1, seen_minutes_ago=1)
    assert client.get(inbox).status_code == 200
    set_clock(client, started_minutes_ago=8 * 60 + 1, seen_minutes_ago=0)
    response = client.get(inbox)
    assert response["Location"].startswith(LOGIN)
    assert len(list(client.get(response["Location"]).context["messages"])) == 1


def test_an_expired_session_on_a_public_page_just_signs_out(client, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    set_clock(client, started_minutes_ago=60, seen_minutes_ago=45)
    response = client.get(reverse("tenants:portal_home"))
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_every_staff_sign_in_starts_the_clock(client, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    assert SESSION_KEY in client.session


def test_citizen_sessions_are_not_affected(client, settings, offering):
    settings.AMTSWEG_STAFF_SESSION_IDLE_MINUTES = 0  # any staff session would end at once
    session = client.session
    session["citizen_marker"] = "kept"
    session.save()
    for _ in range(2):
        assert client.get(reverse("tenants:portal_home")).status_code == 200
    assert client.session["citizen_marker"] == "kept"
    assert SESSION_KEY not in client.session
