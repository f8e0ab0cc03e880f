"""Password reset by e-mail: one link to the staff account's address, the same answer for every
address, a new password that still needs the second factor, and both steps in the audit log."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from tests.factories import UserFactory
from tests.staff_login import confirmed_device, totp_code

RESET = reverse("identity:password_reset")
NEW_PASSWORD = "Ein neues Passwort 2026!"


def request_link(client, email: str):
    return client.post(RESET, {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_reset_round_trip_keeps_the_second_factor(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    assert client.get(RESET).status_code == 200
    response = request_link(client, "DA.CLERK@example.de")  # any case
    assert response["Location"] == reverse("identity:password_reset_done")
    assert client.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["da.clerk@example.de"]
    assert "da.clerk" in message.body

    form_page = client.get(link_in(message), follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("identity:password_reset_complete")
    assert client.get(done["Location"]).status_code == 200
    assert not client.get(reverse("identity:login")).wsgi_request.user.is_authenticated

    signed_in = client.post(
        reverse("identity:login"), {"username": "da.clerk", "password": NEW_PASSWORD}
    )
    assert signed_in["Location"].startswith(reverse("identity:otp_verify"))
    inbox = reverse("cases:inbox", args=["darmstadt"])
    assert client.get(inbox)["Location"].startswith(reverse("identity:otp_verify"))
    client.post(reverse("identity:otp_verify"), {"code": totp_code(device)})
    assert client.get(inbox).status_code == 200

    actions = list(
        AuditEvent.objects.filter(object_id=str(darmstadt_clerk.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["staff.password_reset_requested", "staff.password_reset"]
    assert NEW_PASSWORD not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_the_link_works_once(client, darmstadt_clerk):
    request_link(client, "da.clerk@example.de")
    link = link_in(mail.outbox[0])
    set_password = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


@pytest.mark.parametrize("email", ["nobody@example.de", "no.role@example.de"])
def test_unknown_addresses_get_the_same_answer_and_no_mail(client, darmstadt_clerk, email):
    UserFactory(username="no.role")  # an account, but not a staff account
    known = request_link(client, "da.clerk@example.de")
    unknown = request_link(client, email)
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert len(mail.outbox) == 1


def test_the_new_password_must_pass_the_password_rules(client, darmstadt_clerk):
    request_link(client, "da.clerk@example.de")
    set_password = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_password, {"new_password1": "kurz", "new_password2": "kurz"})
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2")
    assert not AuditEvent.objects.filter(action="staff.password_reset").exists()


def test_the_mail_speaks_the_visitors_language(client, darmstadt_clerk, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    request_link(client, "da.clerk@example.de")
    assert "Reset your Amtsweg password" in mail.outbox[0].subject
