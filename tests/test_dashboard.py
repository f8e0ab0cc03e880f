"""The coordinators' dashboard: figures, SVG charts, CSV export, access and query counts."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amtsweg.cases.models import StatusEntry
from amtsweg.cases.services import change_case_status
from amtsweg.catalog.models import TrustLevel
from amtsweg.progress.csv_export import safe_cell
from amtsweg.progress.models import (
    ImplementationState,
    OzgLeikaKey,
    OzgService,
    PaperKind,
    ServiceProgress,
)
from amtsweg.progress.services import record_paper_step
from amtsweg.progress.statistics import figures_for, last_months, total
from amtsweg.submissions.services import submit_application
from amtsweg.tenants.models import Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OfferingFactory,
    ServiceFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
    make_complete_draft,
)
from tests.staff_login import login_staff

DOG_TAX_KEY = "99102013002000"
PARKING_KEY = "99108001001000"


@pytest.fixture
def catalogue(db) -> dict[str, OzgService]:
    services = {}
    for ozg_id, name, key in (
        ("10160", "Hundehaltung", DOG_TAX_KEY),
        ("10173", "Parkausweise", PARKING_KEY),
        ("10110", "Abfallentsorgung", None),
    ):
        services[ozg_id] = OzgService.objects.create(
            ozg_id=ozg_id, name=name, themenfeld="Querschnitt", lebenslage="Querschnitt Bürger"
        )
        if key:
            OzgLeikaKey.objects.create(ozg_service=services[ozg_id], leika_key=key)
    return services


def coordinator_of(municipality, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, municipality=municipality, role=Role.COORDINATOR)
    return user


def publish(publisher, leika_key, trust_level=TrustLevel.NONE):
    service = ServiceFactory(leika_key=leika_key)
    return SolutionVersionFactory(
        solution=SolutionFactory(service=service, publisher=publisher), trust_level=trust_level
    )


@pytest.fixture
def scene(cluster, darmstadt, modautal, ober_ramstadt, catalogue):
    """Darmstadt publishes dog tax (anonymous) and offers it, Modautal adopts it; Ober-Ramstadt
    publishes parking (BundID) and Darmstadt adopts it."""
    dogs = publish(darmstadt, DOG_TAX_KEY)
    parking = publish(ober_ramstadt, PARKING_KEY, TrustLevel.LOW)
    offerings = {
        "da-dogs": OfferingFactory(municipality=darmstadt, solution_version=dogs, slug="hund"),
        "mod-dogs": OfferingFactory(municipality=modautal, solution_version=dogs, slug="hund"),
        "da-parking": OfferingFactory(
            municipality=darmstadt, solution_version=parking, slug="parken"
        ),
    }
    ServiceProgress.objects.create(
        municipality=modautal,
        ozg_service=catalogue["10110"],
        state=ImplementationState.PLANNED,
        planned_for=datetime.date(2027, 6, 30),
    )
    return offerings


def finish(case, clerk, days, *, on_paper=False):
    """Decide and close ``case`` ``days`` after its submission."""
    for status in ("in_review", "decided"):
        case = change_case_status(case, status, actor=clerk)
    case = change_case_status(case, "closed", actor=clerk, result="approved")
    submitted = case.submission.submitted_at
    StatusEntry.objects.filter(case=case, status="decided").update(
        created_at=submitted + datetime.timedelta(days=days)
    )
    if on_paper:
        record_paper_step(case, PaperKind.LETTER_SENT, actor=clerk)
    return case


def test_figures_of_a_municipality(scene, darmstadt, darmstadt_clerk):
    cases = [
        submit_application(make_complete_draft(scene["da-dogs"])).submission.case for _ in "abc"
    ]
    finish(cases[0], darmstadt_clerk, 2)
    finish(cases[1], darmstadt_clerk, 4, on_paper=True)
    figures = figures_for([darmstadt])[darmstadt.pk]
    assert figures.online == 2
    assert (figures.maturity[2], figures.maturity[3], figures.maturity[0]) == (1, 1, 1)
    this_month = last_months(timezone.localdate())[-1]
    assert figures.months[this_month] == 3 and sum(figures.months.values()) == 3
    assert figures.median_days == 3.0
    assert (figures.finished, figures.paper_free, figures.paper_free_percent) == (2, 1, 50)


def test_the_cluster_median_is_taken_over_all_its_cases(
    scene, darmstadt, modautal, darmstadt_clerk
):
    """A median cannot be averaged: 2 and 4 days in Darmstadt and 30 days in Modautal are
    3 and 30 days each, and 4 days for both together (not 16.5)."""
    modautal_clerk = UserFactory()
    MembershipFactory(user=modautal_clerk, municipality=modautal, role=Role.CLERK)
    for days in (2, 4):
        case = submit_application(make_complete_draft(scene["da-dogs"])).submission.case
        finish(case, darmstadt_clerk, days)
    case = submit_application(make_complete_draft(scene["mod-dogs"])).submission.case
    finish(case, modautal_clerk, 30)
    figures = figures_for([darmstadt, modautal])
    assert (figures[darmstadt.pk].median_days, figures[modautal.pk].median_days) == (3.0, 30.0)
    assert total(figures).median_days == 4.0
    assert total(figures).finished == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no percentile_cont: Python takes it"
)
def test_postgresql_takes_the_median_without_sending_the_cases(
    scene, darmstadt, modautal, darmstadt_clerk
):
    for days in (2, 4):
        case = submit_application(make_complete_draft(scene["da-dogs"])).submission.case
        finish(case, darmstadt_clerk, days)
    with CaptureQueriesContext(connection) as queries:
        figures = figures_for([darmstadt, modautal])
        combined = total(figures)
    assert (figures[darmstadt.pk].median_days, combined.median_days) == (3.0, 3.0)
    medians = [query["sql"] for query in queries if "PERCENTILE_CONT" in query["sql"]]
    assert len(medians) == 2  # per municipality, and for both together


def test_last_months_cross_the_year():
    months = last_months(datetime.date(2026, 2, 14), 4)
    assert months == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]


def test_the_municipality_dashboard_shows_accessible_charts(client, scene, darmstadt):
    login_staff(client, coordinator_of(darmstadt))
    response = client.get(reverse("progress:municipality", args=[darmstadt.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        page.count('<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" role="img"')
        == 2
    )
    assert 'aria-labelledby="chart-maturity-title chart-maturity-desc"' in page
    assert '<title id="chart-maturity-title">' in page
    assert "<table" in page and "Hundehaltung" in page and "Parkausweise" in page
    assert "?csv=leistungen" in page


def test_csv_export_is_safe_for_spreadsheets(client, scene, darmstadt, catalogue):
    ServiceProgress.objects.create(
        municipality=darmstadt,
        ozg_service=catalogue["10110"],
        state=ImplementationState.IN_PROGRESS,
        note='=HYPERLINK("http://example.invalid","klick")',
    )
    login_staff(client, coordinator_of(darmstadt))
    response = client.get(
        reverse("progress:municipality", args=[darmstadt.slug]), {"csv": "leistungen"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="darmstadt-leistungen.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["10110"][-1] == '\'=HYPERLINK("http://example.invalid","klick")'
    assert (by_id["10160"][4], by_id["10160"][6]) == ("2", "Hund anmelden")  # derived
    assert (
        client.get(
            reverse("progress:municipality", args=[darmstadt.slug]), {"csv": "nope"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("value", ["=1+1", "+49", "-2", "@SUM(A1)", "\tx"])
def test_formula_starts_are_defused(value):
    assert safe_cell(value) == "'" + value


def test_numbers_and_plain_text_stay(db):
    assert (safe_cell(-2), safe_cell("Darmstadt"), safe_cell(None)) == (-2, "Darmstadt", "")


def test_the_cluster_dashboard_shows_every_member_and_the_adoption(
    client, scene, modautal, darmstadt
):
    login_staff(client, coordinator_of(modautal))
    url = reverse("progress:cluster", args=[modautal.slug])
    page = client.get(url).content.decode()
    assert page.count('role="img"') == 4
    assert "Modellregion Darmstadt" in page and "Ober-Ramstadt" in page
    response = client.get(url, {"csv": "nachnutzung", "verbund": "modellregion-darmstadt"})
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    assert sorted(rows[1:]) == [
        ["Darmstadt", "Darmstadt", "1"],
        ["Darmstadt", "Modautal", "1"],
        ["Ober-Ramstadt", "Darmstadt", "1"],
    ]
    overview = client.get(url, {"csv": "kommunen", "verbund": "modellregion-darmstadt"})
    lines = {
        row[0]: row
        for row in csv.reader(io.StringIO(overview.content.decode()[1:]), delimiter=";")
    }
    assert lines["Darmstadt"][1] == "2" and lines["Modautal"][1:4] == ["1", "0", "1"]
    assert client.get(url, {"csv": "kommunen", "verbund": "other"}).status_code == 404


def test_clerks_and_other_municipalities_see_no_dashboard(
    client, scene, darmstadt, modautal, darmstadt_clerk
):
    login_staff(client, darmstadt_clerk)
    assert client.get(reverse("progress:municipality", args=[darmstadt.slug])).status_code == 404
    assert client.get(reverse("progress:home")).status_code == 403
    client.logout()
    login_staff(client, coordinator_of(modautal))
    for name in ("progress:municipality", "progress:cluster", "progress:catalogue"):
        assert client.get(reverse(name, args=[darmstadt.slug])).status_code == 404


def test_the_catalogue_page_lists_progress(client, scene, modautal):
    login_staff(client, coordinator_of(modautal))
    page = client.get(reverse("progress:catalogue", args=[modautal.slug]), {"q": "Abfall"})
    text = page.content.decode()
    assert "Abfallentsorgung" in text and "Hundehaltung" not in text


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_cluster_dashboard_needs_no_query_per_member(client, scene, cluster, modautal):
    login_staff(client, coordinator_of(modautal))
    url = reverse("progress:cluster", args=[modautal.slug])
    before = count_queries(client, url)
    for _ in range(3):
        member = MunicipalityFactory()
        cluster.members.add(member)
        version = publish(member, f"99{member.pk:012d}")
        offering = OfferingFactory(municipality=member, solution_version=version)
        submit_application(make_complete_draft(offering))
    assert count_queries(client, url) == before


def test_the_municipality_dashboard_needs_no_query_per_service(
    client, scene, darmstadt, catalogue
):
    login_staff(client, coordinator_of(darmstadt))
    url = reverse("progress:municipality", args=[darmstadt.slug])
    before = count_queries(client, url)
    for number in range(5):
        service = OzgService.objects.create(
            ozg_id=f"2000{number}", name=f"Leistung {number}", themenfeld="T", lebenslage="L"
        )
        ServiceProgress.objects.create(
            municipality=darmstadt, ozg_service=service, state=ImplementationState.PLANNED
        )
    assert count_queries(client, url) == before
