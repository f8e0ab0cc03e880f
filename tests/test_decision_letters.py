"""Decision letters (issue 6 point 6, issue 8 point 8): the applicant's postal address in the
DIN 5008 address window, the responsible authority's letterhead, and under IKZ the processing
municipality named as acting on its behalf; the receipt names where the citizen applied.
Every check opens the real PDF with pypdf."""

import io
from typing import Any

import pytest
from django.utils import translation
from pypdf import PdfReader

from amtsweg.cases.decisions import issue_decision
from amtsweg.cases.letters import addressee_lines, postal_address
from amtsweg.cases.models import Case, CaseStatus
from amtsweg.cases.services import change_case_status
from amtsweg.catalog.models import SolutionVersion
from amtsweg.documents.models import Document, DocumentKind
from amtsweg.documents.tasks import generate_receipt
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import submit_application
from amtsweg.tenants.models import Municipality
from tests.factories import make_complete_draft

MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT_MM = 297


def lines_with_position(content: bytes) -> list[tuple[str, float, float]]:
    """(text, millimetres from the left edge, millimetres from the top) of the first page."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, A4_HEIGHT_MM - y / MM))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return found


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def stored(document: Document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def set_authority(municipality: Municipality, authority: str, street: str, postcode: str) -> None:
    municipality.authority_name = authority
    municipality.street = street
    municipality.postcode = postcode
    municipality.city = municipality.short_name
    municipality.save()


def in_review(case: Case, clerk: Any) -> Case:
    return change_case_status(case, CaseStatus.IN_REVIEW, actor=clerk)


def test_address_window_holds_name_and_postal_address_where_din_5008_puts_it(
    darmstadt_case, darmstadt_clerk, darmstadt
):
    set_authority(
        darmstadt, "Magistrat der Wissenschaftsstadt Darmstadt", "Luisenplatz 5A", "64283"
    )
    decision = issue_decision(
        in_review(darmstadt_case, darmstadt_clerk),
        actor=darmstadt_clerk,
        outcome="approved",
        reasoning="Alles in Ordnung.",
    )
    content = stored(decision.document)
    positions: dict[str, tuple[float, float]] = {}
    for text, left, top in lines_with_position(content):
        positions.setdefault(text, (left, top))  # the first: the page footer repeats some

    for line in ("Erika Mustermann", "Luisenplatz 5", "64283"):
        left, top = positions[line]
        # The address window: 20 mm from the left edge (text from 25 mm), 45–90 mm from the top.
        assert 20 <= left <= 30, (line, left)
        assert 45 <= top <= 90, (line, top)
    name_top, street_top = positions["Erika Mustermann"][1], positions["Luisenplatz 5"][1]
    assert name_top < street_top < positions["64283"][1]
    # The return address above the addressee (it may wrap in the narrow window).
    sender = [(text, top) for text, _left, top in lines_with_position(content) if "·" in text]
    assert " ".join(text for text, _top in sender).startswith(
        "Magistrat der Wissenschaftsstadt Darmstadt · Luisenplatz 5A · 64283"
    )
    assert all(45 <= top < name_top for _text, top in sender)
    # The reference number sits in the information block beside the window.
    reference = darmstadt_case.submission.reference_number
    assert positions[reference][0] > 110 and 45 <= positions[reference][1] <= 95


def _submission(definition: dict, data: dict, **extra: Any) -> Submission:
    return Submission(
        solution_version=SolutionVersion(form_definition=definition), data=data, **extra
    )


def test_postal_address_from_an_address_field():
    definition = {"steps": [{"key": "a", "fields": [{"key": "home", "type": "address"}]}]}
    data = {"home": {"street": "Im Grund", "house_number": "3", "addition": "Hinterhaus",
                     "postcode": "64397", "city": "Modautal"}}  # fmt: skip
    assert postal_address(_submission(definition, data)) == [
        "Im Grund 3", "Hinterhaus", "64397 Modautal"
    ]  # fmt: skip


def test_postal_address_from_fields_prefilled_by_bundid_wins_over_key_names():
    fields = [
        {"key": "wohnort_strasse", "type": "text", "prefill": "bundid.street_and_number"},
        {"key": "wohnort_plz", "type": "postcode", "prefill": "bundid.postcode"},
        {"key": "wohnort", "type": "text", "prefill": "bundid.city"},
        {"key": "street", "type": "text"},
    ]
    definition = {"steps": [{"key": "a", "fields": fields}]}
    data = {"wohnort_strasse": "Luisenplatz 5", "wohnort_plz": "64283", "wohnort": "Darmstadt",
            "street": "Baustelle 1"}  # fmt: skip
    assert postal_address(_submission(definition, data)) == ["Luisenplatz 5", "64283 Darmstadt"]


def test_an_address_inside_a_repeatable_group_is_nobodys_postal_address():
    group = {"key": "dogs", "type": "group", "repeatable": True,
             "fields": [{"key": "kennel", "type": "address"}]}  # fmt: skip
    definition = {"steps": [{"key": "a", "fields": [group]}]}
    assert postal_address(_submission(definition, {"dogs": [{"kennel": {"street": "X"}}]})) == []


def test_an_organisation_comes_first_in_the_window():
    definition = {"steps": [{"key": "a", "fields": []}]}
    submission = _submission(
        definition,
        {"street": "Industriestraße 12", "postcode": "64372", "city": "Ober-Ramstadt"},
        applicant_name="Max Bauer",
        on_behalf_of_name="Musterbau GmbH",
    )
    assert addressee_lines(submission) == [
        "Musterbau GmbH", "Max Bauer", "Industriestraße 12", "64372 Ober-Ramstadt"
    ]  # fmt: skip


@pytest.fixture
def ikz_case(ikz_offering, modautal, ober_ramstadt) -> Case:
    """Modautal offers, Ober-Ramstadt processes (mandate: Modautal stays responsible)."""
    set_authority(modautal, "Gemeindevorstand der Gemeinde Modautal", "Marktplatz 1", "64397")
    set_authority(ober_ramstadt, "Magistrat der Stadt Ober-Ramstadt", "Darmstädter Str. 29",
                  "64372")  # fmt: skip
    return submit_application(make_complete_draft(ikz_offering)).submission.case


def test_ikz_decision_is_issued_in_the_name_of_the_offering_municipality(
    ikz_case, ober_ramstadt_clerk
):
    decision = issue_decision(
        in_review(ikz_case, ober_ramstadt_clerk),
        actor=ober_ramstadt_clerk,
        outcome="approved",
        reasoning="Genehmigt.",
    )
    content = stored(decision.document)
    text = text_of(content)
    reader = PdfReader(io.BytesIO(content))

    assert reader.metadata.author == "Gemeindevorstand der Gemeinde Modautal"
    top = [line for line, _left, top in lines_with_position(content) if top < 45]
    assert "Gemeindevorstand der Gemeinde Modautal" in top  # the letterhead
    with translation.override("de"):
        acting = translation.gettext("processed on its behalf by %(processor)s") % {
            "processor": "Magistrat der Stadt Ober-Ramstadt"
        }
    assert acting in " ".join(text.split())
    # The objection goes to the authority that issued the decision (§ 70 VwGO): Modautal.
    start = text.index("Rechtsbehelfsbelehrung")
    remedy = " ".join(text[start : text.index("einzulegen", start)].split())
    assert "Gemeindevorstand der Gemeinde Modautal" in remedy
    assert "Marktplatz 1, 64397 Modautal" in remedy
    assert "Ober-Ramstadt" not in remedy
    # The processing office's address is in the information block, for questions.
    assert "Darmstädter Str. 29" in text
    assert ikz_case.submission.reference_number.startswith("ORA-")


def test_ikz_receipt_names_the_municipality_where_the_citizen_applied(ikz_case):
    submission = ikz_case.submission
    assert generate_receipt.call(submission.pk) == "generated"
    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    content = stored(receipt)
    text = " ".join(text_of(content).split())

    assert PdfReader(io.BytesIO(content)).metadata.author == (
        "Gemeindevorstand der Gemeinde Modautal"
    )
    top = [line for line, _left, top in lines_with_position(content) if top < 45]
    assert "Gemeindevorstand der Gemeinde Modautal" in top
    with translation.override("de"):
        applied_to = translation.gettext("Applied to")
    assert f"{applied_to} Modautal" in text
    assert "Ober-Ramstadt" in text  # processed by


def test_own_decision_names_no_other_municipality(darmstadt_case, darmstadt_clerk):
    decision = issue_decision(
        in_review(darmstadt_case, darmstadt_clerk),
        actor=darmstadt_clerk,
        outcome="rejected",
        reasoning="Abgelehnt.",
    )
    text = text_of(stored(decision.document))
    with translation.override("de"):
        assert translation.gettext("Acting") not in text
