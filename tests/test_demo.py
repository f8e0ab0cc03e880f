"""The demo installation loads, is idempotent and holds working, valid forms.

The tests that need the demo share one load per module (``demo_once``): each load takes
seconds, and none of these tests changes what the others read."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from amtsweg.catalog.models import Offering, SolutionVersion, VersionStatus
from amtsweg.demo.catalogue import DEMO_APPLICANTS, SOLUTIONS, DemoSolution
from amtsweg.demo.services import DEMO_PASSWORD
from amtsweg.forms.services import check_definition, validate_submission, visible_steps
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Cluster, Membership, Municipality, Role

TODAY = datetime.date.today()


def _model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _valid_answers(spec: DemoSolution) -> dict:
    return spec.sample_answers(DEMO_APPLICANTS[2], "64397", "Modautal", TODAY)


def _required_keys(spec: DemoSolution) -> list[str]:
    """Top-level fields that the sample answers must contain (in steps they make visible)."""
    return [
        field["key"]
        for step in visible_steps(spec.definition, _valid_answers(spec))
        for field in step["fields"]
        if field.get("required") and field["type"] != "notice"
    ]


def test_demo_loads_six_municipalities_with_their_official_keys(demo_once, db):
    assert Municipality.objects.count() == 6
    keys = dict(Municipality.objects.values_list("short_name", "ags"))
    assert set(keys) == {
        "Darmstadt", "Fischbachtal", "Groß-Bieberau", "Modautal", "Ober-Ramstadt", "Roßdorf"
    }  # fmt: skip
    darmstadt = Municipality.objects.get(ags="06411000")
    assert (darmstadt.ars, darmstadt.name) == ("064110000000", "Darmstadt, Wissenschaftsstadt")
    assert (darmstadt.slug, darmstadt.reference_prefix) == ("darmstadt", "DA")
    modautal = Municipality.objects.get(ags="06432013")
    assert modautal.ars == "064320013013"
    assert Municipality.objects.get(short_name="Groß-Bieberau").slug == "gross-bieberau"
    assert Municipality.objects.get(short_name="Roßdorf").slug == "rossdorf"
    assert Municipality.objects.get(short_name="Groß-Bieberau").postcode_list == ["64395", "64401"]


def test_cluster_is_led_by_darmstadt_with_all_six_members(demo_once, db):
    cluster = Cluster.objects.get(slug="ikz-modellregion-darmstadt")
    assert cluster.lead.ags == "06411000"
    assert cluster.members.count() == 6


def test_every_municipality_offers_the_three_published_solutions(demo_once, db):
    assert Offering.objects.count() == 18
    assert not SolutionVersion.objects.exclude(status=VersionStatus.PUBLISHED).exists()
    assert set(Offering.objects.values_list("slug", flat=True)) == {
        "hundesteuer", "bewohnerparkausweis", "sondernutzung"
    }  # fmt: skip


def test_modautals_sondernutzung_is_processed_by_ober_ramstadt(demo_once, db):
    modautal = Offering.objects.get(municipality__short_name="Modautal", slug="sondernutzung")
    assert modautal.processing_municipality.short_name == "Ober-Ramstadt"
    own = Offering.objects.get(municipality__short_name="Modautal", slug="hundesteuer")
    assert own.processing_municipality.short_name == "Modautal"


def test_staff_accounts_log_in_with_the_demo_password_and_hold_their_roles(demo_once, db):
    assert get_user_model().objects.count() == 13
    clerk = get_user_model().objects.get(username="darmstadt-sb")
    assert clerk.check_password(DEMO_PASSWORD)
    assert not clerk.is_staff
    assert Membership.objects.filter(user=clerk, role=Role.CLERK).count() == 1
    assert Membership.objects.filter(user__username="gross-bieberau-admin", role=Role.ADMIN)
    operator = get_user_model().objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff


def test_demo_applications_reach_the_processing_inboxes(demo_once, db):
    ober_ramstadt = Municipality.objects.get(short_name="Ober-Ramstadt")
    # Besides the demo cases in every state (demo.cases), one of which is Ober-Ramstadt's.
    applications = Submission.objects.exclude(idempotency_key__startswith="demo-case-")
    assert applications.count() == 18
    assert ober_ramstadt.cases.filter(submission__in=applications).count() == 5
    assert applications.filter(reference_number__startswith="ORA-").count() == 5


def test_running_the_command_again_changes_no_counts(demo_once, db):
    before = _model_counts()

    output = StringIO()
    call_command("demo", stdout=output)

    assert _model_counts() == before
    assert "darmstadt-sb" in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()


def test_if_empty_does_nothing_on_a_database_with_municipalities(demo_once, db):
    Municipality.objects.filter(short_name="Roßdorf").update(phone="changed")
    before = _model_counts()

    output = StringIO()
    call_command("demo", "--if-empty", stdout=output)

    assert _model_counts() == before
    assert Municipality.objects.get(short_name="Roßdorf").phone == "changed"
    assert output.getvalue().strip()


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_demo_form_definition_is_valid(spec):
    check_definition(spec.definition)
    assert len(spec.definition["steps"]) >= 3
    marked = {
        field.get("applicant")
        for step in spec.definition["steps"]
        for field in step["fields"]
    }  # fmt: skip
    assert {"given_name", "family_name", "email"} <= marked


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_demo_form_accepts_its_sample_answers(spec):
    assert validate_submission(spec.definition, _valid_answers(spec)) == {}


@pytest.mark.parametrize("spec", SOLUTIONS, ids=lambda spec: spec.slug)
def test_demo_form_names_each_missing_required_field(spec):
    for key in _required_keys(spec):
        answers = _valid_answers(spec)
        answers.pop(key, None)

        problems = validate_submission(spec.definition, answers)

        assert set(problems) == {key}
