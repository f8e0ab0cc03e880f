"""The designer runs a version's logic scenarios with one click and downloads its data schema."""

import copy

import pytest
from django.urls import reverse

from amtsweg.demo.forms import hundesteuer
from amtsweg.tenants.models import Role
from tests.factories import (
    MembershipFactory,
    SolutionFactory,
    SolutionVersionFactory,
    UserFactory,
)
from tests.staff_login import login_staff


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def designer(darmstadt):
    user = UserFactory(username="da.designer")
    MembershipFactory(user=user, municipality=darmstadt, role=Role.DESIGNER)
    return user


def version_with(darmstadt, definition):
    solution = SolutionFactory(publisher=darmstadt)
    return SolutionVersionFactory(solution=solution, number=1, form_definition=definition)


def page(client, designer, version, name="scenarios"):
    login_staff(client, designer)
    return client.get(reverse(f"designer:{name}", args=[version.solution.uuid, version.number]))


def test_scenarios_of_the_demo_form_pass(client, darmstadt, designer):
    version = version_with(darmstadt, hundesteuer.DEFINITION)
    html = page(client, designer, version).content.decode()
    count = len(hundesteuer.DEFINITION["scenarios"])
    assert f"All {count} scenarios passed" in html


def test_a_broken_promise_is_shown_with_its_reason(client, darmstadt, designer):
    definition = copy.deepcopy(hundesteuer.DEFINITION)
    scenario = definition["scenarios"][0]
    scenario["expect"] = {"values": {"annual_tax": "1.00"}}
    version = version_with(darmstadt, definition)
    html = page(client, designer, version).content.decode()
    assert "scenarios failed" in html
    assert "annual_tax" in html


def test_data_schema_download(client, darmstadt, designer):
    version = version_with(darmstadt, hundesteuer.DEFINITION)
    response = page(client, designer, version, "data_schema")
    assert response["Content-Disposition"].startswith("attachment;")
    schema = response.json()
    assert schema["$id"].endswith(":version:1:data")
    assert "dogs" in schema["properties"]


def test_other_municipalities_designers_get_404(client, darmstadt, modautal, designer):
    other = UserFactory(username="mod.designer")
    MembershipFactory(user=other, municipality=modautal, role=Role.DESIGNER)
    version = version_with(darmstadt, hundesteuer.DEFINITION)
    assert page(client, other, version).status_code == 404
    assert page(client, other, version, "data_schema").status_code == 404
