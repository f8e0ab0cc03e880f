"""Staff sign-in through the real pages: password, enrolment of the authenticator app with backup
codes, the code at later sign-ins, and the guard that keeps every back-office and admin page
closed until the second factor is passed."""

import re
import uuid
from base64 import b32encode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory
from tests.staff_login import confirmed_device, login_staff, totp_code

LOGIN = reverse("identity:login")
ENROL = reverse("identity:otp_enrol")
VERIFY = reverse("identity:otp_verify")


def sign_in(client, user, password=TEST_PASSWORD, next_url=""):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_first_sign_in_enrols_the_app_and_opens_the_back_office(client, darmstadt_clerk):
    inbox = reverse("cases:inbox", args=["darmstadt"])
    response = sign_in(client, darmstadt_clerk, next_url=inbox)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    assert client.get(inbox)["Location"].startswith(ENROL)  # password alone opens nothing

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=darmstadt_clerk, confirmed=False)
    assert "<svg" in html and "otpauth" not in html  # the address is only inside the QR code
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret
    assert client.get(ENROL).context["secret"].replace(" ", "") == secret  # same device on reload

    done = client.post(ENROL, {"code": totp_code(device), "next": inbox})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in (c[:4] for c in codes))
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(inbox).status_code == 200
    assert AuditEvent.objects.filter(
        action="staff.second_factor_enrolled", object_id=str(darmstadt_clerk.pk)
    ).exists()


def test_enrolled_user_enters_the_code(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    response = sign_in(client, darmstadt_clerk)
    assert response["Location"].startswith(VERIFY)
    assert client.get(ENROL)["Location"].startswith(VERIFY)  # no second enrolment
    assert client.post(VERIFY, {"code": totp_code(device)})["Location"] == reverse("cases:home")
    assert client.get(reverse("cases:home")).status_code == 302  # the inbox, not a sign-in
    assert client.get(reverse("cases:inbox", args=["darmstadt"])).status_code == 200


def test_a_wrong_code_is_refused(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    sign_in(client, darmstadt_clerk)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].has_error("code")
    assert 'id="error-summary"' in response.content.decode()
    assert client.get(reverse("cases:home"))["Location"].startswith(VERIFY)


def test_a_wrong_first_code_does_not_confirm_the_app(client, darmstadt_clerk):
    sign_in(client, darmstadt_clerk)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.context["form"].has_error("code")
    assert not TOTPDevice.objects.filter(user=darmstadt_clerk, confirmed=True).exists()
    assert client.get(reverse("cases:home"))["Location"].startswith(ENROL)


def test_a_backup_code_works_once(client, darmstadt_clerk):
    sign_in(client, darmstadt_clerk)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=darmstadt_clerk)
    codes = client.post(ENROL, {"code": totp_code(device)}).context["codes"]
    client.post(reverse("identity:logout"))

    sign_in(client, darmstadt_clerk)
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"  # as read off a printout
    assert client.post(VERIFY, {"code": typed}).status_code == 302
    assert client.get(reverse("cases:inbox", args=["darmstadt"])).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.post(reverse("identity:logout"))

    sign_in(client, darmstadt_clerk)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200  # used up
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_wrong_password_and_accounts_without_a_role_are_refused_alike(client, darmstadt_clerk):
    citizen_like = UserFactory(username="no.role")
    wrong = sign_in(client, darmstadt_clerk, password="not the password")
    no_role = sign_in(client, citizen_like)
    assert wrong.status_code == no_role.status_code == 200
    assert list(wrong.context["form"].non_field_errors()) == list(
        no_role.context["form"].non_field_errors()
    )
    assert not no_role.wsgi_request.user.is_authenticated


def test_next_must_stay_on_this_site(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    response = sign_in(client, darmstadt_clerk, next_url="https://evil.example/")
    assert "evil" not in response["Location"]
    assert client.post(VERIFY, {"code": totp_code(device)})["Location"] == reverse("cases:home")


@pytest.mark.parametrize("stage", ["anonymous", "password only"])
def test_no_back_office_page_before_the_second_factor(client, darmstadt_clerk, stage):
    if stage == "password only":
        sign_in(client, darmstadt_clerk)
    urls = back_office_urls()
    assert len(urls) > 10
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (url, response.status_code)
            target = LOGIN if stage == "anonymous" else ENROL
            assert response["Location"].startswith(target), url


def back_office_urls() -> list[str]:
    """Every URL below /backoffice/ whose view is not marked public, parameters made up: the
    guard answers before the view looks at them."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif (
                isinstance(entry, URLPattern)
                and route.startswith("backoffice/")
                and not getattr(entry.callback, "staff_public", False)
            ):
                filled = re.sub(
                    r"<(?:(\w+):)?\w+>",
                    lambda part: "1" if part.group(1) == "int" else str(uuid.uuid4()),
                    route,
                )
                found.append(f"/{filled}")

    walk(get_resolver().url_patterns, "")
    return found


def test_admin_is_behind_the_second_factor_too(client, db):
    operator = UserFactory(username="op", is_staff=True, is_superuser=True)
    admin = reverse("admin:index")
    assert client.get(admin)["Location"].startswith(LOGIN)
    assert client.get(reverse("admin:login"))["Location"].startswith(LOGIN)  # no way around
    assert client.login(username="op", password=TEST_PASSWORD)  # password alone
    assert client.get(admin)["Location"].startswith(ENROL)
    assert client.get(reverse("admin:auth_user_changelist"))["Location"].startswith(ENROL)
    client.logout()
    login_staff(client, operator)
    assert client.get(admin).status_code == 200


def test_a_signed_in_staff_user_skips_the_login_page(client, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    assert client.get(LOGIN)["Location"] == reverse("cases:home")


def test_the_admin_log_in_form_is_never_used(client, darmstadt_clerk):
    admin_login = reverse("admin:login")
    response = client.get(admin_login, {"next": "/admin/"})
    assert response["Location"] == f"{LOGIN}?next=/admin/"
    assert client.post(admin_login, {"username": "da.clerk", "password": TEST_PASSWORD})[
        "Location"
    ].startswith(LOGIN)
    login_staff(client, darmstadt_clerk)  # a clerk, not an operator
    assert client.get(admin_login).status_code == 403
    assert client.get(reverse("admin:index"))["Location"].startswith(admin_login)
