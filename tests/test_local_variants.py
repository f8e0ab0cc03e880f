"""Local variants without forking: local hints per step and a contact block, choices among the
options the publisher made configurable, never a change of the form; a fork is a new solution
that records where it came from."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.catalog.adoption import adopt_solution, fork_solution, update_offering
from amtsweg.catalog.models import Offering, Solution, SolutionVersion, VersionStatus
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Role
from tests.factories import MembershipFactory, SolutionVersionFactory, UserFactory, fill_draft
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db
OPTIONS = [
    {
        "key": "payment",
        "label": {"de": "Zahlungsweise", "en": "Payment"},
        "choices": [
            {"value": "yearly", "label": {"de": "jährlich", "en": "yearly"}},
            {"value": "quarterly", "label": {"de": "vierteljährlich", "en": "quarterly"}},
        ],
        "default": "yearly",
    }
]


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def configurable(solution_version: SolutionVersion) -> SolutionVersion:
    return SolutionVersionFactory(solution=solution_version.solution, number=2, options=OPTIONS)


@pytest.fixture
def modautal_admin(modautal: Any) -> Any:
    user = UserFactory(username="mod.admin.variants")
    MembershipFactory(user=user, municipality=modautal, role=Role.ADMIN)
    return user


@pytest.fixture
def adopted(configurable: SolutionVersion, modautal: Any, modautal_admin: Any) -> Offering:
    offering, _created = adopt_solution(
        configurable,
        modautal,
        {
            "title": "Hund anmelden",
            "responsible_office": "Steueramt",
            "contact_block": "Rathaus Modautal, Zimmer 3",
            "step_hints": {"dog": "Die Chipnummer steht im Impfpass."},
            "option_values": {"payment": "quarterly"},
        },
        actor=modautal_admin,
    )
    Offering.objects.filter(pk=offering.pk).update(is_active=True)
    offering.refresh_from_db()
    return offering


def test_citizen_sees_local_texts_and_the_chosen_option(client, adopted):
    page = client.get(reverse("catalog:offering", args=["modautal", adopted.slug]))
    html = page.content.decode()
    assert "Rathaus Modautal, Zimmer 3" in html
    assert "Payment" in html and "quarterly" in html
    start = client.post(reverse("submissions:start", args=["modautal", adopted.slug]))
    draft_url = start["Location"]
    first_step = client.get(draft_url).content.decode()
    assert "Die Chipnummer steht im Impfpass." not in first_step
    draft = Submission.objects.get(uuid=draft_url.split("/")[2])
    fill_draft(draft, skip=("dog",))
    dog_step = client.get(reverse("submissions:step", args=[draft.uuid, "dog"]))
    assert "Die Chipnummer steht im Impfpass." in dog_step.content.decode()


def test_only_declared_choices_and_existing_steps(adopted, modautal_admin):
    with pytest.raises(ValidationError) as refused:
        update_offering(adopted, {"option_values": {"payment": "daily"}}, actor=modautal_admin)
    assert "option_values" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        update_offering(adopted, {"step_hints": {"nowhere": "x"}}, actor=modautal_admin)
    assert "step_hints" in refused.value.message_dict
    adopted.refresh_from_db()
    assert adopted.option_values == {"payment": "quarterly"}


def test_the_form_itself_cannot_be_changed(client, adopted, modautal_admin, configurable):
    definition = configurable.form_definition
    update_offering(adopted, {"form_definition": {"steps": []}, "fee": 0}, actor=modautal_admin)
    login_staff(client, modautal_admin)
    detail = reverse("offerings:detail", args=[adopted.uuid])
    form = client.get(detail).context["form"]
    assert "option_payment" in form.fields
    assert not any("definition" in name for name in form.fields)
    assert SolutionVersion.objects.get(pk=configurable.pk).form_definition == definition
    assert Offering.objects.get(pk=adopted.pk).solution_version_id == configurable.pk


def test_options_must_be_declared_properly(solution_version):
    broken = SolutionVersion(
        solution=solution_version.solution,
        number=3,
        form_definition=solution_version.form_definition,
        options=[{"key": "payment", "label": {"de": "Zahlung"}, "choices": [], "default": "x"}],
    )
    with pytest.raises(ValidationError) as refused:
        broken.full_clean()
    assert "options" in refused.value.message_dict


def test_fork_is_a_new_solution_that_remembers_its_origin(
    client, configurable, modautal, modautal_admin
):
    login_staff(client, modautal_admin)
    response = client.post(
        reverse("library:fork", args=[configurable.solution.uuid, 2]), {"fuer": modautal.ags}
    )
    fork = Solution.objects.get(publisher=modautal)
    assert response["Location"] == reverse("designer:version", args=[fork.uuid, 1])
    assert fork.forked_from == configurable
    assert fork.service == configurable.solution.service
    draft = fork.versions.get()
    assert draft.status == VersionStatus.DRAFT
    assert draft.form_definition == configurable.form_definition
    assert draft.options == OPTIONS
    assert AuditEvent.objects.filter(action="solution.forked", chain=modautal.ags).exists()
    # The original is untouched, and Modautal's designers now work on their own solution.
    assert configurable.solution.versions.count() == 2
    assert client.get(reverse("designer:edit", args=[fork.uuid, 1])).status_code == 200


def test_a_clerk_cannot_fork(client, configurable, modautal, modautal_clerk):
    login_staff(client, modautal_clerk)
    response = client.post(reverse("library:fork", args=[configurable.solution.uuid, 2]))
    assert response.status_code == 403
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        fork_solution(configurable, modautal, actor=modautal_clerk)
    assert not Solution.objects.filter(publisher=modautal).exists()


def test_a_designer_of_two_municipalities_chooses_where_the_fork_goes(
    client, configurable, modautal, ober_ramstadt
):
    user = UserFactory(username="two.places")
    MembershipFactory(user=user, municipality=modautal, role=Role.DESIGNER)
    MembershipFactory(user=user, municipality=ober_ramstadt, role=Role.DESIGNER)
    login_staff(client, user)
    page = client.get(reverse("library:version", args=[configurable.solution.uuid, 2]))
    assert 'id="fork-for"' in page.content.decode()
    client.post(
        reverse("library:fork", args=[configurable.solution.uuid, 2]), {"fuer": ober_ramstadt.ags}
    )
    assert Solution.objects.get(forked_from=configurable).publisher == ober_ramstadt
