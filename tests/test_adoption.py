"""Adoption (Nachnutzung) by a municipal admin: local settings, the citizen's preview, going
live; one offering per double submit; fees only where the solution allows; tenant isolation."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.adoption import adopt_solution
from amtsweg.catalog.models import Offering, SolutionVersion
from amtsweg.catalog.services import live_offerings
from amtsweg.tenants.models import Role
from tests.factories import MembershipFactory, SolutionVersionFactory, UserFactory
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db
IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def admin_of(municipality: Any, username: str) -> Any:
    user = UserFactory(username=username)
    MembershipFactory(user=user, municipality=municipality, role=Role.ADMIN)
    return user


@pytest.fixture
def modautal_admin(modautal: Any) -> Any:
    return admin_of(modautal, "mod.admin")


def adopt_url(version: SolutionVersion) -> str:
    return reverse("library:adopt", args=[version.solution.uuid, version.number])


def settings_data(cluster: Any, processor: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "fuer": "06432013",
        "title": "Hund anmelden in Modautal",
        "description": "Melden Sie Ihren Hund an.",
        "responsible_office": "Steueramt Modautal",
        "contact_email": "steuer@modautal.example",
        "contact_phone": "06254 123",
        "opening_hours": "Mo–Fr 8–12 Uhr",
        "contact_block": "Rathaus, Zimmer 3",
        "fee": "0",
        "iban": "DE02 1203 0000 0000 2020 51",
        "account_holder": "Gemeinde Modautal",
        "processing_municipality": processor.pk,
        "go_live": "",
        "hint_dog": "Bitte halten Sie die Chipnummer bereit.",
    }
    return data | changes


def test_admin_adopts_previews_and_puts_live(
    client, cluster, modautal, ober_ramstadt, modautal_admin, solution_version
):
    login_staff(client, modautal_admin)
    page = client.get(adopt_url(solution_version))
    assert page.status_code == 200
    response = client.post(adopt_url(solution_version), settings_data(cluster, ober_ramstadt))
    assert response.status_code == 302, response.context["form"].errors
    offering = Offering.objects.get(municipality=modautal)
    assert response["Location"] == reverse("offerings:detail", args=[offering.uuid])
    # No copy of the form: the offering points at the published version.
    assert offering.solution_version_id == solution_version.pk
    assert SolutionVersion.objects.count() == 1
    assert offering.iban == IBAN
    assert offering.processing_municipality == ober_ramstadt
    assert offering.step_hints == {"dog": "Bitte halten Sie die Chipnummer bereit."}
    assert not offering.is_active
    assert list(live_offerings(modautal)) == []
    assert AuditEvent.objects.filter(action="offering.adopted", chain=modautal.ags).count() == 1

    preview = client.get(reverse("offerings:preview", args=[offering.uuid])).content.decode()
    assert "Hund anmelden in Modautal" in preview
    assert "Mo–Fr 8–12 Uhr" in preview
    assert "processed by Ober-Ramstadt" in preview
    assert "Bitte halten Sie die Chipnummer bereit." in preview
    assert "<fieldset disabled" in preview

    client.post(reverse("offerings:go_live", args=[offering.uuid]))
    assert list(live_offerings(modautal)) == [offering]
    citizen = client.get(reverse("catalog:offering", args=["modautal", offering.slug]))
    assert "Rathaus, Zimmer 3" in citizen.content.decode()


def test_double_submit_creates_one_offering(
    client, cluster, modautal, modautal_admin, solution_version
):
    login_staff(client, modautal_admin)
    data = settings_data(cluster, modautal)
    first = client.post(adopt_url(solution_version), data)
    second = client.post(adopt_url(solution_version), data)
    assert Offering.objects.filter(municipality=modautal).count() == 1
    assert first["Location"] == second["Location"]
    # The service function itself returns the existing offering too.
    offering, created = adopt_solution(
        solution_version, modautal, {"responsible_office": "x"}, actor=modautal_admin
    )
    assert not created and offering.title == "Hund anmelden in Modautal"


def test_a_clerk_cannot_adopt(client, modautal, modautal_clerk, solution_version):
    login_staff(client, modautal_clerk)
    assert client.get(adopt_url(solution_version)).status_code == 403
    with pytest.raises(PermissionDenied):
        adopt_solution(solution_version, modautal, {}, actor=modautal_clerk)
    assert not Offering.objects.exists()


def test_another_municipalitys_admin_cannot_see_or_change_the_offering(
    client, cluster, modautal, darmstadt, modautal_admin, solution_version
):
    offering, _created = adopt_solution(
        solution_version,
        modautal,
        {"responsible_office": "Steueramt", "title": "Hund"},
        actor=modautal_admin,
    )
    login_staff(client, admin_of(darmstadt, "da.admin2"))
    for name in ("detail", "preview", "go_live"):
        address = reverse(f"offerings:{name}", args=[offering.uuid])
        assert client.get(address).status_code in (404, 405)
        assert client.post(address, {"title": "Gekapert"}).status_code in (404, 405)
    switch = reverse("offerings:switch", args=[offering.uuid, 2])
    assert client.post(switch).status_code == 404
    offering.refresh_from_db()
    assert (offering.title, offering.is_active) == ("Hund", False)
    assert client.get(reverse("offerings:list")).context["rows"] == []


def test_fee_is_fixed_unless_the_solution_allows_a_range(
    client, cluster, modautal, modautal_admin, solution_version
):
    fixed = SolutionVersionFactory(
        solution=solution_version.solution, number=2, fee=Decimal("10.00"), publish=False
    )
    fixed.publish()
    login_staff(client, modautal_admin)
    client.post(adopt_url(fixed), settings_data(cluster, modautal, fee="99"))
    assert Offering.objects.get(municipality=modautal).fee == Decimal("10.00")


def test_fee_outside_the_range_is_refused_and_nothing_written(
    client, cluster, modautal, modautal_admin, solution_version
):
    ranged = SolutionVersionFactory(
        solution=solution_version.solution,
        number=2,
        fee=Decimal("10"),
        fee_min=Decimal("5"),
        fee_max=Decimal("20"),
    )
    login_staff(client, modautal_admin)
    response = client.post(adopt_url(ranged), settings_data(cluster, modautal, fee="25"))
    assert response.status_code == 400
    assert "allows a fee from 5.00 € to 20.00 €" in response.content.decode()
    assert not Offering.objects.exists()
    client.post(adopt_url(ranged), settings_data(cluster, modautal, fee="15"))
    assert Offering.objects.get().fee == Decimal("15")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"iban": "DE02120300000000202052"}, "This is not a valid IBAN."),
        ({"go_live": "2001-01-01"}, "cannot lie in the past"),
        ({"responsible_office": ""}, "This field is required."),
    ],
)
def test_bad_settings_are_refused_clearly(
    client, cluster, modautal, modautal_admin, solution_version, change, message
):
    login_staff(client, modautal_admin)
    response = client.post(adopt_url(solution_version), settings_data(cluster, modautal, **change))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert message in html
    assert not Offering.objects.exists()


def test_processing_only_by_a_cluster_member(
    client, cluster, modautal, modautal_admin, solution_version
):
    from tests.factories import MunicipalityFactory

    stranger = MunicipalityFactory()
    login_staff(client, modautal_admin)
    response = client.post(adopt_url(solution_version), settings_data(cluster, stranger))
    assert response.status_code == 400
    assert not Offering.objects.exists()


def test_admin_changes_local_settings(client, cluster, modautal, modautal_admin, solution_version):
    login_staff(client, modautal_admin)
    client.post(adopt_url(solution_version), settings_data(cluster, modautal))
    offering = Offering.objects.get()
    detail = reverse("offerings:detail", args=[offering.uuid])
    response = client.post(
        detail, settings_data(cluster, modautal, opening_hours="Di 14–18 Uhr", fuer="")
    )
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.opening_hours == "Di 14–18 Uhr"
    assert AuditEvent.objects.filter(action="offering.settings_changed").count() == 1


def test_offerings_list_query_count_does_not_grow(client, darmstadt, darmstadt_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OfferingFactory

    def add(count: int) -> None:
        for _ in range(count):
            first = SolutionVersionFactory(number=1)
            SolutionVersionFactory(solution=first.solution, number=2)
            OfferingFactory(municipality=darmstadt, solution_version=first)

    login_staff(client, darmstadt_admin)
    add(2)
    client.get(reverse("offerings:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("offerings:list"))
    add(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("offerings:list"))
    assert len(response.context["rows"]) == 8
    assert all(row["update"].latest.number == 2 for row in response.context["rows"])
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_adoptions_create_one_offering(
    cluster, modautal, modautal_admin, solution_version, monkeypatch
):
    """The second submit arrives while the first is still in its transaction: it waits for the
    municipality's lock and then returns the first one's offering."""
    import threading
    import time

    from django.db import connection

    from amtsweg.catalog import adoption

    first_is_writing, release_first = threading.Event(), threading.Event()
    real_audit = adoption._audit

    def holding_audit(*args: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == "first":
            first_is_writing.set()
            release_first.wait(timeout=30)
        real_audit(*args, **kwargs)

    monkeypatch.setattr(adoption, "_audit", holding_audit)
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            results[name] = adopt_solution(
                solution_version,
                modautal,
                {"title": name, "responsible_office": "Steueramt"},
                actor=modautal_admin,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert first_is_writing.wait(timeout=30)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    time.sleep(0.5)  # the second runs into the first's lock (PostgreSQL) or BEGIN IMMEDIATE
    release_first.set()
    first.join(timeout=60)
    second.join(timeout=60)
    if errors:
        raise errors[0]
    assert results["first"][1] is True
    assert results["second"] == (results["first"][0], False)
    assert Offering.objects.filter(municipality=modautal).count() == 1
    assert Offering.objects.get().title == "first"
