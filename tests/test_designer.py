"""The service designer's workflow in the back office: draft versions, the JSON editor with its
live check, the preview, publishing, the FIM import, and who may do any of it."""

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.audit.services import verify_chain
from amtsweg.catalog import services, views
from amtsweg.catalog.models import SolutionVersion, VersionStatus
from amtsweg.catalog.services import (
    DesignChangeRefused,
    DraftAlreadyOpen,
    create_draft_version,
    definition_revision,
    read_definition_text,
    request_review,
    save_draft_definition,
)
from amtsweg.forms.services import DefinitionError
from amtsweg.tenants.models import Municipality, Role
from tests.factories import (
    MembershipFactory,
    OfferingFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
    form_definition,
)
from tests.staff_login import login_staff

FIM = Path(__file__).parent / "data" / "fim"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """The assertions read English msgids; in German they would break the day the German
    catalogue learns these strings."""
    settings.LANGUAGE_CODE = "en"


def login(client: Any, user: Any) -> None:
    login_staff(client, user)


def designer_of(municipality: Municipality, username: str, role: str = Role.DESIGNER) -> Any:
    user = UserFactory(username=username)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def designer(darmstadt: Municipality) -> Any:
    return designer_of(darmstadt, "da.designer")


@pytest.fixture
def modautal_designer(modautal: Municipality) -> Any:
    return designer_of(modautal, "mod.designer")


@pytest.fixture
def draft(solution_version: SolutionVersion, designer: Any) -> SolutionVersion:
    """Draft version 2 of Darmstadt's dog-registration solution (version 1 is published)."""
    return create_draft_version(solution_version.solution, actor=designer)


def url(name: str, version: SolutionVersion) -> str:
    return reverse(f"designer:{name}", args=[version.solution.uuid, version.number])


def as_text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


def save(client: Any, version: SolutionVersion, text: str, revision: str | None = None) -> Any:
    data = {"definition": text}
    if revision is not None:
        data["revision"] = revision
    return client.post(url("edit", version), data)


def stored(version: SolutionVersion) -> dict[str, Any]:
    return SolutionVersion.objects.get(pk=version.pk).form_definition


def actions(version: SolutionVersion) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="catalog.solutionversion", object_id=str(version.pk)
        ).values_list("action", flat=True)
    )


# --- the list of solutions --------------------------------------------------------------------


def test_list_shows_versions_with_status_and_offerings(client, designer, offering):
    login(client, designer)
    response = client.get(reverse("designer:solutions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hund anmelden" in html
    (row,) = response.context["rows"]
    (version,) = row["versions"]
    assert (version.number, version.status, version.offering_count) == (1, "published", 1)
    assert row["draft"] is None
    assert reverse("designer:new_version", args=[offering.solution_version.solution.uuid]) in html


def test_list_query_count_does_not_grow_with_solutions(client, designer, darmstadt):
    login(client, designer)
    SolutionVersionFactory(solution=SolutionFactory(publisher=darmstadt), number=1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("designer:solutions"))
    for _ in range(4):
        solution = SolutionFactory(publisher=darmstadt)
        SolutionVersionFactory(solution=solution, number=1)
        SolutionVersionFactory(solution=solution, number=2, publish=False)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("designer:solutions"))
    assert len(many) == len(few)


def test_the_header_links_designers_to_their_solutions(client, designer, darmstadt_clerk):
    login(client, designer)
    link = reverse("designer:solutions")
    assert link in client.get(reverse("cases:home")).content.decode()
    login(client, darmstadt_clerk)
    page = client.get(reverse("cases:inbox", args=["darmstadt"])).content.decode()
    assert f'href="{link}"' not in page
    # Clerks do reach the (read-only) solution library.
    assert f'href="{reverse("library:list")}"' in page


def test_municipal_admin_may_design_too(client, darmstadt_admin, solution_version):
    login(client, darmstadt_admin)
    assert client.get(reverse("designer:solutions")).status_code == 200
    assert client.get(url("version", solution_version)).status_code == 200


# --- draft versions ---------------------------------------------------------------------------


def test_new_draft_version_copies_the_latest_version(client, designer, solution_version):
    login(client, designer)
    solution = solution_version.solution
    response = client.post(reverse("designer:new_version", args=[solution.uuid]))
    draft = solution.versions.get(number=2)
    assert response["Location"] == url("edit", draft)
    assert draft.status == VersionStatus.DRAFT
    assert draft.form_definition == solution_version.form_definition
    assert draft.trust_level == solution_version.trust_level
    event = AuditEvent.objects.get(action="solution_version.created")
    assert (event.chain, event.actor, event.data["based_on"]) == (
        solution.publisher.ags,
        designer,
        1,
    )


def test_only_one_draft_is_open_at_a_time(client, designer, draft):
    login(client, designer)
    response = client.post(reverse("designer:new_version", args=[draft.solution.uuid]))
    assert response["Location"] == url("version", draft)
    assert draft.solution.versions.count() == 2
    with pytest.raises(DraftAlreadyOpen):
        create_draft_version(draft.solution, actor=designer)


def test_first_draft_of_a_solution_without_versions_is_a_valid_start(designer, darmstadt):
    solution = SolutionFactory(publisher=darmstadt)
    version = create_draft_version(solution, actor=designer)
    assert version.number == 1
    assert services.definition_problems(version.form_definition) == []


def test_a_clerk_cannot_create_a_draft(darmstadt_clerk, solution_version):
    with pytest.raises(PermissionDenied):
        create_draft_version(solution_version.solution, actor=darmstadt_clerk)
    assert solution_version.solution.versions.count() == 1


# --- the JSON editor --------------------------------------------------------------------------


def test_editor_shows_the_definition_in_a_monospaced_textarea(client, designer, draft):
    login(client, designer)
    response = client.get(url("edit", draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<textarea class="kern-form-input__input" id="definition" name="definition"' in html
    assert "monospace" in html
    assert '<label class="kern-label" for="definition">' in html
    assert 'hx-trigger="keyup changed delay:600ms"' in html
    assert f'hx-post="{url("validate", draft)}"' in html
    assert "Antragstellende Person" in html  # umlauts and all, not \u escapes


def test_saving_valid_json_stores_it(client, designer, draft):
    login(client, designer)
    definition = form_definition()
    definition["steps"][0]["title"] = {"de": "Wer beantragt?", "en": "Who applies?"}
    response = save(client, draft, as_text(definition), definition_revision(draft.form_definition))
    assert response.status_code == 302
    assert response["Location"] == url("edit", draft)
    assert stored(draft)["steps"][0]["title"]["de"] == "Wer beantragt?"
    event = AuditEvent.objects.get(action="solution_version.definition_saved")
    assert event.chain == draft.solution.publisher.ags
    assert event.data["definition"] == definition_revision(definition)


def test_invalid_json_is_refused_with_its_line_and_column(client, designer, draft):
    login(client, designer)
    text = '{\n  "schema_version": 1\n  "steps": []\n}'
    response = save(client, draft, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "line 3, column 3" in html
    assert 'href="#definition"' in html
    assert "&quot;schema_version&quot;: 1" in html  # the text stays in the editor
    assert stored(draft) == form_definition()


def test_definition_with_problems_is_listed_and_not_stored(client, designer, draft):
    login(client, designer)
    definition = form_definition()
    del definition["steps"][0]["fields"][0]["label"]
    definition["steps"][1]["fields"][0]["type"] = "hologram"
    response = save(client, draft, as_text(definition))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Field &#x27;given_name&#x27; has no label." in html
    assert "unknown type &#x27;hologram&#x27;" in html
    assert 'id="error-summary"' in html
    assert stored(draft) == form_definition()
    assert "solution_version.definition_saved" not in actions(draft)


@pytest.mark.parametrize(
    "text,problem",
    [
        ("[]", "must be one JSON object"),
        ('"steps"', "must be one JSON object"),
        ('{"schema_version": 1, "steps": "all"}', "must be a list"),
        ('{"schema_version": 1, "steps": [1]}', "Step 1 must be an object"),
        (
            '{"schema_version": 1, "steps": [{"key": "a", "title": "A", "fields": {"x": 1}}]}',
            "must be a list",
        ),
        (
            '{"schema_version": 1, "steps": [{"key": "a", "title": "A", "fields": ["x"]}]}',
            "Item 1 of a must be an object",
        ),
        (
            '{"schema_version": 1, "steps": [{"key": "a", "title": "A", '
            '"fields": [{"key": "x", "type": ["text"], "label": "X"}]}]}',
            "could not be checked",
        ),
        ('{"schema_version": 1, "schema_version": 1, "steps": []}', "is given twice"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_odd_text_gets_a_problem_never_an_error_page(client, designer, draft, text, problem):
    _definition, problems = read_definition_text(text)
    assert any(problem in p for p in problems), problems
    login(client, designer)
    response = save(client, draft, text)
    assert response.status_code == 400
    assert stored(draft) == form_definition()


def test_a_save_based_on_an_older_text_does_not_overwrite_a_newer_one(client, designer, draft):
    login(client, designer)
    opened = definition_revision(draft.form_definition)
    first = form_definition()
    first["steps"][0]["title"] = "Erste Änderung"
    save_draft_definition(draft, first, actor=designer)
    second = form_definition()
    second["steps"][0]["title"] = "Zweite Änderung"
    response = save(client, draft, as_text(second), opened)
    assert response.status_code == 409
    assert "Someone else saved this draft" in response.content.decode()
    assert stored(draft)["steps"][0]["title"] == "Erste Änderung"


# --- the live check ---------------------------------------------------------------------------


def test_live_check_returns_a_fragment_with_the_problems(client, designer, draft):
    login(client, designer)
    broken = form_definition()
    broken["steps"][0]["title"] = ""
    response = client.post(url("validate", draft), {"definition": as_text(broken)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Step &#x27;applicant&#x27; has no title." in html
    good = client.post(url("validate", draft), {"definition": as_text(form_definition())})
    assert "No problems" in good.content.decode()
    syntax = client.post(url("validate", draft), {"definition": "{"})
    assert "line 1, column 2" in syntax.content.decode()
    assert stored(draft) == form_definition()


# --- the preview ------------------------------------------------------------------------------


def preview_part(html: str) -> str:
    start = html.index('<div id="preview"')
    return html[start : html.index("</main>")]


def test_preview_renders_every_step_and_submits_nothing(client, designer, draft):
    definition = form_definition()
    definition["steps"][2]["fields"][-1]["visible_if"] = {"==": [{"var": "insured"}, "yes"]}
    save_draft_definition(draft, definition, actor=designer)
    login(client, designer)
    response = client.get(url("preview", draft))
    assert response.status_code == 200
    part = preview_part(response.content.decode())
    for title in ("Step 1 of 3: Applicant", "Step 2 of 3: Address", "Step 3 of 3: Dog"):
        assert title in part
    for label in (
        "Given name",
        "Postcode",
        "Breed",
        "Mixed breed",
        "Liability insured",
        "Remarks",
    ):
        assert label in part
    assert "<fieldset disabled" in part
    assert "<form" not in part
    assert 'type="submit"' not in part
    assert "/antrag/" not in part
    # A field shown only under a condition is shown in the preview too.
    assert 'id="field-remarks"' in part
    assert " hidden" not in part.split('id="field-remarks"')[0].rsplit("<div", 1)[1]


def test_preview_of_a_published_version(client, designer, solution_version):
    login(client, designer)
    response = client.get(url("preview", solution_version))
    assert response.status_code == 200
    assert "Family name" in preview_part(response.content.decode())


def test_preview_of_a_draft_with_problems_lists_them(client, designer, draft):
    broken = form_definition()
    broken["steps"][0]["fields"][0]["type"] = "hologram"
    SolutionVersion.objects.filter(pk=draft.pk).update(form_definition=broken)
    login(client, designer)
    response = client.get(url("preview", draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "unknown type &#x27;hologram&#x27;" in html
    assert 'id="preview"' not in html


# --- publishing -------------------------------------------------------------------------------


def test_review_then_approval_by_another_person_publishes(client, designer, darmstadt, draft):
    reviewer = designer_of(darmstadt, "da.reviewer", Role.ADMIN)
    login(client, designer)
    page = client.get(url("version", draft)).content.decode()
    assert url("request_review", draft) in page
    assert url("publish", draft) not in page
    response = client.post(url("request_review", draft))
    assert response["Location"] == url("version", draft)
    draft.refresh_from_db()
    assert (draft.status, draft.review_requested_by) == (VersionStatus.REVIEW, designer)
    # In review the draft can no longer be edited, and its author cannot approve it.
    refused = save(client, draft, as_text(form_definition()))
    assert refused.status_code == 409
    assert "in review and cannot be changed" in refused.content.decode()
    page = client.get(url("version", draft)).content.decode()
    assert url("publish", draft) not in page
    client.post(url("publish", draft))
    assert SolutionVersion.objects.get(pk=draft.pk).status == VersionStatus.REVIEW

    login(client, reviewer)
    page = client.get(url("version", draft)).content.decode()
    assert "can no longer be changed" in page
    assert url("publish", draft) in page
    response = client.post(url("publish", draft))
    assert response["Location"] == url("version", draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    assert draft.approved_by == reviewer
    assert "da.reviewer" in client.get(url("version", draft)).content.decode()
    event = AuditEvent.objects.get(action="solution_version.published")
    assert (event.chain, event.actor, event.data["number"]) == (
        draft.solution.publisher.ags,
        reviewer,
        2,
    )
    assert verify_chain(draft.solution.publisher.ags) is None
    # The published version can be offered, and the next change needs a new draft.
    OfferingFactory(solution_version=draft).full_clean()
    assert create_draft_version(draft.solution, actor=designer).number == 3


def test_the_reviewer_may_send_a_version_back_to_draft(client, designer, darmstadt, draft):
    reviewer = designer_of(darmstadt, "da.reviewer")
    request_review(draft, actor=designer)
    login(client, reviewer)
    response = client.post(url("return_to_draft", draft), {"note": "Bitte Hinweis ergänzen"})
    assert response.status_code == 302
    assert SolutionVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    event = AuditEvent.objects.get(action="solution_version.returned_to_draft")
    assert event.data["note"] == "Bitte Hinweis ergänzen"
    assert save(client, draft, as_text(form_definition())).status_code == 302


def test_a_draft_with_problems_is_not_published(client, designer, draft):
    broken = form_definition()
    broken["steps"][0]["title"] = ""
    SolutionVersion.objects.filter(pk=draft.pk).update(form_definition=broken)
    login(client, designer)
    page = client.get(url("version", draft)).content.decode()
    assert url("request_review", draft) not in page
    response = client.post(url("request_review", draft), follow=True)
    assert "the form definition has 1 problem" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    with pytest.raises(DefinitionError):
        request_review(draft, actor=designer)


def test_editing_a_published_version_is_refused(client, designer, solution_version):
    login(client, designer)
    before = copy.deepcopy(solution_version.form_definition)
    response = client.get(url("edit", solution_version))
    assert response["Location"] == url("version", solution_version)
    page = client.get(response["Location"]).content.decode()
    assert "published and can no longer be changed" in page
    assert url("edit", solution_version) not in page
    changed = form_definition()
    changed["steps"][0]["title"] = "Geändert"
    response = save(client, solution_version, as_text(changed))
    html = response.content.decode()
    assert response.status_code == 409
    assert "published and can no longer be changed" in html
    assert "readonly" in html
    assert stored(solution_version) == before
    with pytest.raises(DesignChangeRefused):
        save_draft_definition(solution_version, changed, actor=designer)
    assert client.post(url("publish", solution_version)).status_code == 302
    assert stored(solution_version) == before


# --- the FIM import ---------------------------------------------------------------------------


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "application/xml")


def test_fim_import_creates_a_draft_and_shows_the_report(client, designer, solution_version):
    login(client, designer)
    solution = solution_version.solution
    page = reverse("designer:fim_import", args=[solution.uuid])
    assert 'enctype="multipart/form-data"' in client.get(page).content.decode()
    response = client.post(page, {"schema": upload(FIM / "v3/S00000000364/schema.xdf.xml")})
    html = response.content.decode()
    assert response.status_code == 200
    draft = solution.versions.get(number=2)
    assert draft.status == VersionStatus.DRAFT
    assert draft.form_definition["fim"]["id"] == "S00000000364"
    assert "S00000000364" in html
    assert "R00000002589" in html  # the report's note about a rule the form cannot run
    assert 'id="import-report"' in html
    event = AuditEvent.objects.get(action="solution_version.fim_imported")
    assert event.data["source"]["schema_id"] == "S00000000364"
    assert event.chain == solution.publisher.ags
    assert client.get(url("preview", draft)).status_code == 200


def test_fim_import_of_a_zip_with_code_lists(client, designer, solution_version):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in [
            FIM / "v2/S05000058V1.0_xdf2.xml",
            *sorted((FIM / "v2/codelisten").iterdir()),
        ]:
            bundle.write(path, path.relative_to(FIM / "v2"))
    login(client, designer)
    response = client.post(
        reverse("designer:fim_import", args=[solution_version.solution.uuid]),
        {
            "schema": SimpleUploadedFile(
                "bewohnerparken.zip", archive.getvalue(), "application/zip"
            )
        },
    )
    assert response.status_code == 200
    draft = solution_version.solution.versions.get(number=2)
    assert draft.form_definition["fim"]["id"] == "S05000058"


def test_fim_import_with_problems_is_stored_but_cannot_be_published(
    client, designer, solution_version, monkeypatch
):
    """An import the engine cannot use as it is yet (a field type it lacks, say) is kept as a
    draft to fix in the editor; the problem is made here, as the real files all import cleanly
    once the engine knows their types."""
    real_import = services.import_schema

    def import_with_a_problem(data: bytes, filename: str) -> Any:
        result = real_import(data, filename)
        field = {"key": "not_yet", "type": "hologram", "label": "Hologramm"}
        result.definition["steps"][0]["fields"].append(field)
        return result

    monkeypatch.setattr(services, "import_schema", import_with_a_problem)
    login(client, designer)
    response = client.post(
        reverse("designer:fim_import", args=[solution_version.solution.uuid]),
        {"schema": upload(FIM / "v2/BlaueKarte.xml")},
    )
    assert response.status_code == 200
    assert "unknown type &#x27;hologram&#x27;" in response.content.decode()
    draft = solution_version.solution.versions.get(number=2)
    assert draft.form_definition["fim"]["id"] == "S00000121"
    assert "unknown type &#x27;hologram&#x27;" in client.get(url("edit", draft)).content.decode()
    with pytest.raises(DefinitionError):
        request_review(draft, actor=designer)


def test_fim_import_into_the_open_draft_needs_confirmation(client, designer, draft):
    login(client, designer)
    page = reverse("designer:fim_import", args=[draft.solution.uuid])
    file = FIM / "xdatenfelder-xml-tests/v2/simple.xml"
    refused = client.post(page, {"schema": upload(file)})
    assert refused.status_code == 400
    assert 'href="#replace_draft"' in refused.content.decode()
    assert stored(draft) == form_definition()
    response = client.post(page, {"schema": upload(file), "replace_draft": "yes"})
    assert response.status_code == 200
    assert draft.solution.versions.count() == 2
    assert stored(draft)["fim"]["id"] == "T1234"
    assert response.context["done"].replaced_draft


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("SOURCES.md", (FIM / "SOURCES.md").read_bytes(), "neither an XML file nor a ZIP"),
        (
            "C05000073_genericode.xml",
            (FIM / "v2/codelisten/C05000073_genericode.xml").read_bytes(),
            "genericode code list, not a schema",
        ),
        (
            "missing-id-node.xml",
            (FIM / "xdatenfelder-xml-tests/v3/missing-id-node.xml").read_bytes(),
            "line 9",
        ),
    ],
)
def test_broken_fim_files_are_refused_clearly(
    client, designer, solution_version, name, content, message
):
    login(client, designer)
    response = client.post(
        reverse("designer:fim_import", args=[solution_version.solution.uuid]),
        {"schema": SimpleUploadedFile(name, content, "application/xml")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert name in html
    assert 'href="#schema"' in html
    assert solution_version.solution.versions.count() == 1


def test_fim_import_refuses_large_files_and_missing_ones(
    client, designer, solution_version, monkeypatch
):
    login(client, designer)
    page = reverse("designer:fim_import", args=[solution_version.solution.uuid])
    monkeypatch.setattr(views, "MAX_FIM_UPLOAD_BYTES", 100)
    response = client.post(page, {"schema": upload(FIM / "v2/BlaueKarte.xml")})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert client.post(page, {}).status_code == 400
    assert solution_version.solution.versions.count() == 1


# --- who may ----------------------------------------------------------------------------------


def designer_urls(version: SolutionVersion) -> list[str]:
    solution = version.solution.uuid
    return [
        reverse("designer:new_version", args=[solution]),
        reverse("designer:fim_import", args=[solution]),
        *(
            url(name, version)
            for name in (
                "version",
                "edit",
                "validate",
                "preview",
                "publish",
                "request_review",
                "return_to_draft",
                "settings",
                "diff",
            )
        ),
    ]


@pytest.mark.parametrize("persona", ["modautal_designer", "darmstadt_clerk", "darmstadt_readonly"])
def test_others_are_refused_everywhere(client, request, draft, persona):
    login(client, request.getfixturevalue(persona))
    published = draft.solution.versions.get(number=1)
    text = as_text({"schema_version": 1, "steps": []})
    for version in (draft, published):
        for address in designer_urls(version):
            for method in (client.get, client.post):
                response = method(address, {"definition": text, "replace_draft": "yes"})
                assert response.status_code in (403, 404, 405), (address, response.status_code)
    assert draft.solution.versions.count() == 2
    assert stored(draft) == form_definition()
    assert SolutionVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    assert AuditEvent.objects.exclude(action="solution_version.created").count() == 0


def test_the_list_never_shows_another_municipalitys_solutions(
    client, modautal_designer, darmstadt_clerk, draft
):
    login(client, modautal_designer)
    response = client.get(reverse("designer:solutions"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Hund anmelden" not in response.content.decode()
    login(client, darmstadt_clerk)
    assert client.get(reverse("designer:solutions")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, draft):
    for address in designer_urls(draft):
        response = client.get(address)
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("identity:login"))


# --- the settings of a draft --------------------------------------------------------------------


def test_settings_of_a_draft_fee_range_options_and_required_update(client, designer, draft):
    login(client, designer)
    address = url("settings", draft)
    data = {
        "release_notes": "Neue Zahlungsweise",
        "licence": "EUPL-1.2",
        "trust_level": "none",
        "processing_days": "14",
        "fee": "10",
        "fee_min": "5",
        "fee_max": "20",
        "options": json.dumps(
            [
                {
                    "key": "pay",
                    "label": {"de": "Zahlung"},
                    "choices": [{"value": "year", "label": {"de": "jährlich"}}],
                    "default": "year",
                }
            ]
        ),
        "required_by": "2030-01-31",
        "required_reason": "Rechtsänderung",
    }
    response = client.post(address, data)
    assert response["Location"] == url("version", draft)
    draft.refresh_from_db()
    assert (draft.fee_min, draft.fee_max, draft.options[0]["key"]) == (5, 20, "pay")
    assert draft.required_by.isoformat() == "2030-01-31"
    assert AuditEvent.objects.filter(action="solution_version.settings_saved").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fee_max": "8"}, "must lie within the range"),
        ({"fee": ""}, "needs a standard fee"),
        ({"options": '[{"key": "x"}]'}, "needs a German label"),
        ({"licence": "not a licence!"}, "SPDX"),
        ({"required_reason": ""}, "Say why"),
    ],
)
def test_settings_are_checked_and_nothing_is_stored(client, designer, draft, change, message):
    login(client, designer)
    data = {
        "licence": "EUPL-1.2",
        "trust_level": "none",
        "processing_days": "14",
        "fee": "10",
        "fee_min": "5",
        "fee_max": "20",
        "options": "",
        "required_by": "2030-01-31",
        "required_reason": "Rechtsänderung",
    } | change
    response = client.post(url("settings", draft), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SolutionVersion.objects.get(pk=draft.pk).fee is None


def test_settings_of_a_published_version_cannot_be_changed(client, designer, solution_version):
    login(client, designer)
    response = client.post(url("settings", solution_version), {"licence": "MIT"})
    assert response["Location"] == url("version", solution_version)
    assert SolutionVersion.objects.get(pk=solution_version.pk).licence == "EUPL-1.2"
