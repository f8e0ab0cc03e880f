"""The case view reads the user's roles in the case's municipality once and joins the offering
once (issue 9: three role checks and a second join through the submission on every opening),
and still offers each user only what their roles allow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.staff_login import login_staff


def open_case(client, user, case) -> tuple[str, list[str]]:
    login_staff(client, user)
    url = reverse("cases:detail", args=[case.uuid])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured]


def test_the_case_view_reads_roles_and_offering_once(client, darmstadt_case, darmstadt_clerk):
    _html, statements = open_case(client, darmstadt_clerk, darmstadt_case)
    municipality = darmstadt_case.municipality_id
    role_checks = [
        sql
        for sql in statements
        if 'FROM "tenants_membership"' in sql and f'"municipality_id" = {municipality}' in sql
    ]
    assert len(role_checks) == 1, role_checks
    (read_case,) = [sql for sql in statements if sql.startswith('SELECT "cases_case"."id"')]
    assert read_case.count('"catalog_offering"."title"') == 1
    assert len(statements) <= 15, statements


@pytest.mark.parametrize(
    ("persona", "works", "assigns"),
    [
        ("darmstadt_clerk", True, False),
        ("darmstadt_admin", True, True),
        ("darmstadt_readonly", False, False),
    ],
)
def test_each_role_gets_its_actions(request, client, darmstadt_case, persona, works, assigns):
    html, _statements = open_case(client, request.getfixturevalue(persona), darmstadt_case)
    assert darmstadt_case.offering.title in html
    assert darmstadt_case.offering.municipality.short_name in html
    assert (reverse("cases:change_status", args=[darmstadt_case.uuid]) in html) is works
    assert (reverse("cases:assign", args=[darmstadt_case.uuid]) in html) is assigns
