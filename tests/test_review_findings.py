"""Findings of the second reading of the day's changes (issues #5–#9), each shown to fail
before its fix: a paper step's note outliving the retention deletion, and SVG logos that
slipped past the check (another encoding, upper-case CSS, animated links and handlers)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from amtsweg.cases.models import Case, CaseResult, CaseStatus
from amtsweg.cases.services import change_case_status
from amtsweg.cases.tasks import delete_expired_personal_data
from amtsweg.progress.models import PaperKind
from amtsweg.progress.services import record_paper_step
from amtsweg.submissions.services import submit_application
from amtsweg.tenants.logos import validate_logo
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft

SVG = '<svg xmlns="http://www.w3.org/2000/svg">{}</svg>'


@pytest.fixture
def case(darmstadt) -> Case:
    version = SolutionVersionFactory(retention_days=30)
    offering = OfferingFactory(municipality=darmstadt, solution_version=version)
    return submit_application(make_complete_draft(offering)).submission.case


def test_retention_deletion_clears_the_notes_of_paper_steps(case, darmstadt_clerk):
    """A paper step's note is the clerk's free text about the applicant, like a status
    comment; it must go with the other personal data of the case."""
    record_paper_step(
        case, PaperKind.choices[0][0], actor=darmstadt_clerk, note="Frau Mustermann, Ausweis"
    )
    for target in (CaseStatus.IN_REVIEW, CaseStatus.DECIDED):
        change_case_status(case, target, actor=darmstadt_clerk)
    change_case_status(case, CaseStatus.CLOSED, actor=darmstadt_clerk, result=CaseResult.REJECTED)
    Case.objects.filter(pk=case.pk).update(
        delete_personal_data_after=timezone.now() - timedelta(minutes=1)
    )

    result = delete_expired_personal_data.call()

    assert result["cases"] == 1
    assert list(case.paper_steps.values_list("note", flat=True)) == [""]
    assert result["deleted"][0]["paper_step_notes"] == 1
    # The step itself stays: the dashboard still counts the case as not paper-free.
    assert case.paper_steps.count() == 1


def _refusal(content: bytes) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_logo(SimpleUploadedFile("wappen.svg", content))
    return refused.value.messages[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # UTF-16 hid the DOCTYPE and its entities from the byte check.
        (
            (
                '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY a "b">]>'
                + SVG.format("<rect/>")
            ).encode("utf-16"),
            "UTF-8",
        ),
        # CSS function names are case-insensitive: URL( loads like url(.
        (SVG.format('<rect style="fill:URL(https://example.org/t.png)"/>').encode(), "link"),
        (SVG.format("<style>rect{fill:URL(https://example.org/t)}</style>").encode(), "link"),
        # A CSS escape spells @import without the letters.
        (SVG.format('<style>@\\69mport "https://example.org/x.css";</style>').encode(), "link"),
        # Animations set a link or an event handler after the check.
        (
            SVG.format(
                '<a><animate attributeName="href" values="javascript:alert(1)"/></a>'
            ).encode(),
            "scripts",
        ),
        (SVG.format('<set attributeName="onclick" to="alert(1)"/>').encode(), "scripts"),
    ],
)
def test_svg_logos_that_hid_links_or_scripts_are_refused(content, expected):
    assert expected in _refusal(content)


def test_a_plain_utf8_svg_with_a_bom_and_an_internal_reference_is_still_accepted():
    drawing = SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#00549f"/>'
        '</linearGradient></defs><rect fill="url(#g)" width="4" height="4"/>'
        '<animateTransform attributeName="transform" type="rotate" to="10"/>'
    )
    validate_logo(SimpleUploadedFile("wappen.svg", "\ufeff".encode() + drawing.encode()))


def test_no_decision_draft_is_kept_on_a_finished_case(darmstadt_case, darmstadt_clerk):
    """After a withdrawal (or closing) no decision can be issued, so none may be written: a
    draft there would bring the applicant's data back to a finished case."""
    from amtsweg.cases.decisions import save_decision_draft
    from amtsweg.cases.models import Decision
    from amtsweg.cases.services import TransitionRefused, withdraw_case

    withdraw_case(darmstadt_case)

    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        save_decision_draft(darmstadt_case, actor=darmstadt_clerk, reasoning="Frau Mustermann")
    assert "finished" in str(refused.value)
    assert not Decision.objects.filter(case=darmstadt_case).exists()


def test_a_logo_missing_from_the_storage_is_a_404_not_a_server_error(client, darmstadt):
    from django.urls import reverse

    from amtsweg.tenants.models import Municipality

    Municipality.objects.filter(pk=darmstadt.pk).update(logo="municipality-logos/gone.svg")

    response = client.get(reverse("tenants:logo", args=[darmstadt.slug]))

    assert response.status_code == 404
