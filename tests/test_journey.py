"""The first end-to-end journey through Django's test client: a citizen of Darmstadt applies
for the dog tax, a Darmstadt clerk claims the case and moves it on, and the citizen sees the
new status with reference number and access code."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from amtsweg.cases.models import Case, CaseStatus
from amtsweg.catalog.models import Offering
from amtsweg.submissions.models import Submission
from tests.form_filling import valid_step_post
from tests.staff_login import login_staff

DEMO_PASSWORD = "Amtsweg-Demo-2026"


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())


@pytest.fixture
def offering(demo) -> Offering:
    return Offering.objects.select_related("solution_version").get(
        municipality__slug="darmstadt", slug="hundesteuer"
    )


def start_application(client, offering: Offering) -> tuple[str, list[dict]]:
    response = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    assert response.status_code == 302
    steps = offering.solution_version.form_definition["steps"]
    assert response["Location"].endswith(f"/schritt/{steps[0]['key']}/")
    return response["Location"], steps


def fill_all_steps(client, first_step_url: str, steps: list[dict]) -> str:
    """Answer each step the assistant leads to (conditional steps may be skipped)."""
    by_key = {step["key"]: step for step in steps}
    url = first_step_url
    for _ in steps:
        if "/schritt/" not in url:
            break
        step = by_key[url.split("/schritt/")[1].strip("/")]
        response = client.post(url, valid_step_post(step))
        assert response.status_code == 302, response.content.decode()[:2000]
        url = response["Location"]
    assert url.endswith("/zusammenfassung/")
    return url


def test_citizen_finds_municipality_by_name_and_postcode(client, demo):
    by_name = client.get("/", {"q": "Modautal"})
    assert reverse("catalog:municipality", args=["modautal"]) in by_name.content.decode()
    by_postcode = client.get("/", {"q": "64397"})
    assert reverse("catalog:municipality", args=["modautal"]) in by_postcode.content.decode()
    nothing = client.get("/", {"q": "🐕 64283a"})
    assert nothing.status_code == 200
    assert "/kommunen/" not in nothing.content.decode()


def test_municipality_page_lists_its_services(client, demo):
    page = client.get(reverse("catalog:municipality", args=["darmstadt"])).content.decode()
    for slug in ("hundesteuer", "bewohnerparkausweis", "sondernutzung"):
        assert reverse("catalog:offering", args=["darmstadt", slug]) in page


def test_errors_shown_at_field_and_in_summary_with_values_kept(client, offering):
    step_url, steps = start_application(client, offering)
    fields = [f for f in steps[0]["fields"] if f["type"] not in ("notice",)]
    text_field = next(f for f in fields if f["type"] == "text" and f.get("required", False))
    postcode_field = next(f for f in fields if f["type"] == "postcode")
    response = client.post(
        step_url, {text_field["key"]: "Musterfrau", postcode_field["key"]: "6428"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html
    summary = re.search(r'id="error-summary-title">([^<]*)</h2>.*?<ul[^>]*>(.*?)</ul>', html, re.S)
    listed = summary[2].count("<li>")
    assert listed >= 2
    assert summary[1] == f"Bitte korrigieren Sie {listed} Angaben"  # the errors it lists
    assert f'href="#field-{postcode_field["key"]}"' in html
    assert f'id="field-{postcode_field["key"]}-error"' in html
    assert 'aria-invalid="true"' in html
    assert "5 Ziffern" in html or "5 digits" in html
    assert 'value="Musterfrau"' in html  # entered values kept
    assert 'value="6428"' in html
    draft_uuid = step_url.split("/antrag/")[1].split("/")[0]
    assert (
        Submission.objects.get(uuid=draft_uuid).data == {}
    )  # nothing of an invalid step is stored


def test_full_journey_from_application_to_status_change(client, offering):
    step_url, steps = start_application(client, offering)
    summary_url = fill_all_steps(client, step_url, steps)

    summary = client.get(summary_url).content.decode()
    for step in steps:
        if "visible_if" not in step:
            assert f"/schritt/{step['key']}/?return=summary" in summary
    change = client.post(
        f"{step_url.rsplit('/schritt/', 1)[0]}/schritt/{steps[0]['key']}/?return=summary",
        valid_step_post(steps[0]),
    )
    assert change["Location"] == summary_url

    submitted_before = Submission.objects.filter(status="submitted").count()
    submitted = client.post(summary_url)
    assert submitted.status_code == 302
    confirmation = client.get(submitted["Location"]).content.decode()
    reference = re.search(r"DA-\d{4}-\d{6}", confirmation).group(0)
    access_code = re.search(r'id="access-code">([A-Z0-9-]+)<', confirmation).group(1)

    again = client.post(summary_url)  # a double click
    assert again["Location"] == submitted["Location"]
    submission = Submission.objects.get(reference_number=reference)
    assert Submission.objects.filter(status="submitted").count() == submitted_before + 1
    assert Case.objects.filter(submission=submission).count() == 1
    assert (
        DBTaskResult.objects.filter(
            task_path="amtsweg.submissions.tasks.follow_up_submission",
            args_kwargs__args=[submission.pk],
        ).count()
        == 1
    )

    clerk = client.__class__()
    login_staff(clerk, "darmstadt-sb", DEMO_PASSWORD)
    inbox = clerk.get(reverse("cases:inbox", args=["darmstadt"])).content.decode()
    assert reference in inbox
    case = submission.case
    detail = clerk.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    first_label = next(f for f in steps[0]["fields"] if f["type"] != "notice")["label"]["de"]
    assert first_label in detail  # rendered from the definition, not raw keys

    clerk.post(reverse("cases:claim", args=[case.uuid]))
    clerk.post(
        reverse("cases:change_status", args=[case.uuid]),
        {"status": CaseStatus.IN_REVIEW, "comment": "Unterlagen vollständig."},
    )
    case.refresh_from_db()
    assert case.assignee.username == "darmstadt-sb"
    assert case.status == CaseStatus.IN_REVIEW

    citizen = client.__class__()
    status_page = citizen.post(
        reverse("submissions:status"),
        {"reference_number": reference.lower(), "access_code": access_code.replace("-", " ")},
    ).content.decode()
    assert 'id="current-status">in Prüfung<' in status_page
    assert "Unterlagen vollständig" not in status_page  # internal comment stays internal
    wrong = citizen.post(
        reverse("submissions:status"),
        {"reference_number": reference, "access_code": "AAAA-BBBB-CCCC"},
    ).content.decode()
    assert "current-status" not in wrong
    assert 'id="error-summary"' in wrong


def test_draft_is_bound_to_the_browser_session(client, offering):
    step_url, _steps = start_application(client, offering)
    stranger = client.__class__()
    assert stranger.get(step_url).status_code == 404
