"""The back-office header: each role is offered exactly the sections it may open, and the
header reads the user's roles in one statement (it is on every back-office page)."""

from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.tenants.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.staff_login import login_staff

pytestmark = pytest.mark.django_db

SECTIONS = {
    "solutions": reverse("designer:solutions"),
    "progress": reverse("progress:home"),
    "offerings": reverse("offerings:list"),
    "library": reverse("library:list"),
}


def header_of(client: Any, user: Any) -> str:
    login_staff(client, user)
    page = client.get(reverse("cases:home"), follow=True).content.decode()
    return page.split("</header>")[0]


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.ADMIN, {"solutions", "progress", "offerings", "library"}),
        (Role.DESIGNER, {"solutions", "library"}),
        (Role.CLERK, {"library"}),
        (Role.READ_ONLY, {"library"}),
        (Role.COORDINATOR, {"progress", "library"}),
    ],
)
def test_each_role_is_offered_the_sections_it_may_open(client, darmstadt, role, offered):
    user = UserFactory(username=f"nav.{role}")
    MembershipFactory(user=user, municipality=darmstadt, role=role)
    header = header_of(client, user)
    shown = {name for name, url in SECTIONS.items() if f'href="{url}"' in header}
    assert shown == offered
    appearance = reverse("tenants:appearance", args=[darmstadt.slug])
    assert (f'href="{appearance}"' in header) == (role == Role.ADMIN)
    for name, url in SECTIONS.items():  # what is offered opens; nothing leads to a refusal
        if name in offered:
            assert client.get(url, follow=True).status_code == 200, name


def test_an_admin_of_two_municipalities_gets_both_appearance_links(client, darmstadt, modautal):
    user = UserFactory(username="nav.two")
    for municipality in (darmstadt, modautal):
        MembershipFactory(user=user, municipality=municipality, role=Role.ADMIN)
    MembershipFactory(user=user, municipality=darmstadt, role=Role.CLERK)
    header = header_of(client, user)
    for municipality in (darmstadt, modautal):
        url = reverse("tenants:appearance", args=[municipality.slug])
        assert header.count(f'href="{url}"') == 1


def test_the_header_reads_the_roles_in_one_statement(darmstadt_admin):
    template = Template(
        "{% load backoffice_nav %}{% backoffice_links user as links %}"
        "{{ links.may_design }}{{ links.may_adopt }}{{ links.may_browse_library }}"
        "{{ links.may_follow_progress }}{% for m in links.administered %}"
        "{{ m.slug }}{% endfor %}"
    )
    with CaptureQueriesContext(connection) as queries:
        rendered = template.render(Context({"user": darmstadt_admin}))
    assert rendered == "TrueTrueTrueTruedarmstadt"
    assert len(queries) == 1
