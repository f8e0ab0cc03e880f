"""The solution library: every published version with what an adopter needs to judge it,
searchable and filterable, paginated, with a constant number of queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.catalog.library import LibraryFilter, search_library
from amtsweg.catalog.models import Solution, SolutionVersion
from amtsweg.tenants.models import Municipality, Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ServiceFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
)
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db
LIBRARY = reverse("library:list")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def published(publisher: Municipality, name: str, **service: str) -> SolutionVersion:
    solution = SolutionFactory(
        publisher=publisher, name=name, service=ServiceFactory(name=f"Leistung {name}", **service)
    )
    return SolutionVersionFactory(solution=solution, number=1)


@pytest.fixture
def shelf(darmstadt, modautal, ober_ramstadt, solution_version) -> dict[str, SolutionVersion]:
    """Darmstadt's dog tax (used by Darmstadt and Modautal), Modautal's parking permit (used by
    nobody), and a draft that must never show."""
    solution_version.solution.service.themenfeld = "Steuern"
    solution_version.solution.service.lebenslage = "Haustiere"
    solution_version.solution.service.save()
    OfferingFactory(municipality=darmstadt, solution_version=solution_version)
    OfferingFactory(municipality=modautal, solution_version=solution_version)
    parking = published(
        modautal, "Bewohnerparkausweis", themenfeld="Mobilität", lebenslage="Umzug"
    )
    SolutionVersionFactory(solution=parking.solution, number=2, publish=False)
    return {"dog": solution_version, "parking": parking}


def test_clerk_of_any_municipality_sees_every_published_version(
    client, shelf, ober_ramstadt_clerk
):
    login_staff(client, ober_ramstadt_clerk)
    response = client.get(LIBRARY)
    html = response.content.decode()
    assert response.status_code == 200
    assert [v.pk for v in response.context["page"].object_list] == [
        shelf["parking"].pk,
        shelf["dog"].pk,
    ]
    assert "99036011001000" in html  # the LeiKa key
    assert "EUPL-1.2" in html
    assert "Darmstadt, Modautal" in html  # who uses it
    assert "version 2" not in html  # the draft


def test_filters(shelf, darmstadt, modautal):
    def names(**wanted: Any) -> list[str]:
        return [v.solution.name for v in search_library(LibraryFilter(**wanted))]

    assert names(themenfeld="Steuern") == ["Hund anmelden"]
    assert names(lebenslage="Umzug") == ["Bewohnerparkausweis"]
    assert names(publisher=modautal.ags) == ["Bewohnerparkausweis"]
    assert names(min_adopters=2) == ["Hund anmelden"]
    assert names(min_adopters=3) == []
    assert names(query="99036011") == ["Hund anmelden"]
    assert names(query="parkausweis") == ["Bewohnerparkausweis"]
    assert names(sort="adopters") == ["Hund anmelden", "Bewohnerparkausweis"]


def test_filter_form_offers_only_values_in_use_and_filters(client, shelf, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    response = client.get(LIBRARY, {"themenfeld": "Mobilität"})
    form = response.context["form"]
    assert [value for value, _label in form.fields["themenfeld"].choices] == [
        "",
        "Mobilität",
        "Steuern",
    ]
    assert [v.pk for v in response.context["page"].object_list] == [shelf["parking"].pk]
    # An unknown value is an error on the form, never a 500, and filters nothing.
    response = client.get(LIBRARY, {"themenfeld": "Raumfahrt", "min_adopters": "-1"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"themenfeld", "min_adopters"}
    assert response.context["page"].paginator.count == 2


def test_pagination_keeps_the_filters(client, darmstadt, darmstadt_clerk):
    for number in range(23):
        published(darmstadt, f"Lösung {number:02d}", themenfeld="Bauen")
    login_staff(client, darmstadt_clerk)
    first = client.get(LIBRARY, {"themenfeld": "Bauen"})
    assert len(first.context["page"].object_list) == 20
    assert "themenfeld=Bauen&amp;seite=2" in first.content.decode()
    second = client.get(LIBRARY, {"themenfeld": "Bauen", "seite": "2"})
    assert len(second.context["page"].object_list) == 3


def test_query_count_does_not_grow_with_versions_or_adopters(client, darmstadt, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)

    def add(count: int) -> None:
        for _ in range(count):
            version = published(MunicipalityFactory(), "Lösung")
            for _ in range(3):
                OfferingFactory(solution_version=version)

    add(2)
    client.get(LIBRARY)
    with CaptureQueriesContext(connection) as few:
        client.get(LIBRARY)
    add(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIBRARY)
    assert response.context["page"].paginator.count == 10
    assert len(many) == len(few)


def test_version_page_shows_what_an_adopter_needs(client, shelf, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    dog = shelf["dog"]
    html = client.get(reverse("library:version", args=[dog.solution.uuid, 1])).content.decode()
    assert "Darmstadt, Wissenschaftsstadt (AGS 06411000)" in html
    assert "Steuern" in html and "Haustiere" in html
    assert reverse("library:preview", args=[dog.solution.uuid, 1]) in html
    assert reverse("library:export", args=[dog.solution.uuid, 1]) in html
    assert 'id="adopters">Darmstadt, Modautal<' in html
    preview = client.get(reverse("library:preview", args=[dog.solution.uuid, 1]))
    assert 'id="preview"' in preview.content.decode()
    assert "<fieldset disabled" in preview.content.decode()


def test_drafts_are_not_in_the_library(client, shelf, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    parking = shelf["parking"].solution
    assert client.get(reverse("library:version", args=[parking.uuid, 2])).status_code == 404
    assert client.get(reverse("library:export", args=[parking.uuid, 2])).status_code == 404


def test_only_staff_of_a_municipality_may_read(client, shelf):
    assert client.get(LIBRARY).status_code == 302  # to the login
    login_staff(client, UserFactory(username="nobody"))
    assert client.get(LIBRARY).status_code == 403


@pytest.mark.parametrize("against", ["1" * 5000, "²", "abc", "-1", "9999999999"])
def test_diff_against_a_bad_version_number_is_not_found(client, shelf, darmstadt_clerk, against):
    """``?gegen=`` beyond Python's int digit limit, a digit int() refuses, or text: 404, not
    a server error."""
    login_staff(client, darmstadt_clerk)
    dog = shelf["dog"]
    SolutionVersionFactory(solution=dog.solution, number=2)
    url = reverse("library:diff", args=[dog.solution.uuid, 2])
    assert client.get(url, {"gegen": "1"}).status_code == 200
    assert client.get(url, {"gegen": against}).status_code == 404


def test_fork_for_a_municipality_the_user_does_not_design_for_is_refused(
    client, shelf, darmstadt, modautal
):
    """A Modautal designer naming Darmstadt gets a refusal, not a fork for Modautal."""
    user = UserFactory(username="mod.designer")
    MembershipFactory(user=user, municipality=modautal, role=Role.DESIGNER)
    login_staff(client, user)
    dog = shelf["dog"]
    before = Solution.objects.count()
    response = client.post(
        reverse("library:fork", args=[dog.solution.uuid, 1]), {"fuer": darmstadt.ags}
    )
    assert response.status_code == 403
    assert Solution.objects.count() == before
