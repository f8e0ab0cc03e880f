"""Lock-out after repeated failures: counted in the database per account and per client address,
the same answer for names that exist and names that do not, a right password refused while
locked, open again after the lock time, and each lock-out in the audit log."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from amtsweg.audit.models import AuditEvent
from amtsweg.identity.staff.models import AccountLock, SignInFailure
from tests.factories import TEST_PASSWORD, UserFactory
from tests.staff_login import confirmed_device, login_staff, totp_code

LOGIN = reverse("identity:login")
VERIFY = reverse("identity:otp_verify")


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AMTSWEG_STAFF_MAX_FAILURES = 5
    settings.AMTSWEG_STAFF_LOCKOUT_MINUTES = 15
    settings.AMTSWEG_STAFF_MAX_FAILURES_PER_IP = 30


WRONG = "wrong password 123"


def attempt(client, username, password=WRONG, ip="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def age_everything(minutes: int) -> None:
    """Move every failure and lock ``minutes`` into the past, as if that time had passed."""
    shift = timedelta(minutes=minutes)
    for failure in SignInFailure.objects.all():
        SignInFailure.objects.filter(pk=failure.pk).update(created_at=failure.created_at - shift)
    for lock in AccountLock.objects.all():
        AccountLock.objects.filter(pk=lock.pk).update(
            locked_at=lock.locked_at - shift, locked_until=lock.locked_until - shift
        )


def test_five_wrong_passwords_lock_the_account(client, darmstadt_clerk):
    answers = [errors(attempt(client, "da.clerk")) for _ in range(5)]
    assert answers[0] == answers[3]  # "wrong user name or password"
    assert answers[4] != answers[0]  # the fifth locks
    locked = attempt(client, "da.clerk", password=TEST_PASSWORD)
    assert locked.status_code == 200
    assert errors(locked) == answers[4]
    assert not locked.wsgi_request.user.is_authenticated

    event = AuditEvent.objects.get(action="staff.locked_out")
    assert event.object_id == str(darmstadt_clerk.pk)
    assert event.chain == "platform"
    assert set(event.data) == {"failures", "locked_until"}
    stored = json.dumps(event.data) + "".join(
        SignInFailure.objects.values_list("account_key", flat=True)
    )
    assert "wrong password" not in stored and "da.clerk" not in stored


def test_the_lock_ends_after_its_time(client, darmstadt_clerk):
    for _ in range(5):
        attempt(client, "da.clerk")
    age_everything(minutes=14)
    assert not attempt(
        client, "da.clerk", password=TEST_PASSWORD
    ).wsgi_request.user.is_authenticated
    age_everything(minutes=2)
    opened = attempt(client, "da.clerk", password=TEST_PASSWORD)
    assert opened.status_code == 302
    assert opened["Location"].startswith(reverse("identity:otp_enrol"))


def test_old_failures_do_not_lock_again_after_the_lock(client, darmstadt_clerk):
    for _ in range(5):
        attempt(client, "da.clerk")
    age_everything(minutes=16)
    # One more mistake after the lock: the five before it are not counted twice.
    attempt(client, "da.clerk")
    assert attempt(client, "da.clerk", password=TEST_PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(client, darmstadt_clerk):
    for _ in range(4):
        attempt(client, "da.clerk")
    age_everything(minutes=16)
    attempt(client, "da.clerk")
    assert attempt(client, "da.clerk", password=TEST_PASSWORD).status_code == 302


def test_unknown_names_get_exactly_the_same_answers(client, darmstadt_clerk):
    real = [errors(attempt(client, "da.clerk", ip="192.0.2.1")) for _ in range(6)]
    unknown = [errors(attempt(client, "nobody.here", ip="192.0.2.2")) for _ in range(6)]
    assert real == unknown
    # Only the real account's lock-out goes into the audit log, and nothing typed does.
    assert AuditEvent.objects.filter(action="staff.locked_out").count() == 1


def test_the_name_is_locked_whatever_its_case(client, darmstadt_clerk):
    for name in ("da.clerk", "DA.CLERK", "Da.Clerk", "da.clerk ", "DA.clerk"):
        attempt(client, name)
    assert attempt(client, "da.clerk", password=TEST_PASSWORD).status_code == 200


def test_wrong_codes_lock_the_account_and_sign_out(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    client.post(LOGIN, {"username": "da.clerk", "password": TEST_PASSWORD})
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    locked = client.post(VERIFY, {"code": wrong})
    assert locked["Location"] == LOGIN
    assert not client.get(LOGIN).wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="staff.locked_out").count() == 1
    # The right password and then the right code are both refused while the lock lasts.
    assert attempt(client, "da.clerk", password=TEST_PASSWORD).status_code == 200
    assert client.post(VERIFY, {"code": totp_code(device)})["Location"].startswith(LOGIN)


def test_a_password_alone_does_not_reset_the_count(client, darmstadt_clerk):
    """Someone who knows the password must not get endless code guesses, four at a time."""
    confirmed_device(darmstadt_clerk)
    for _ in range(2):
        client.post(LOGIN, {"username": "da.clerk", "password": TEST_PASSWORD})
        for _ in range(2):
            client.post(VERIFY, {"code": "000000"})
        client.post(reverse("identity:logout"))
    client.post(LOGIN, {"username": "da.clerk", "password": TEST_PASSWORD})
    assert client.post(VERIFY, {"code": "000000"})["Location"] == LOGIN


def test_a_complete_sign_in_clears_the_failures(client, darmstadt_clerk):
    device = confirmed_device(darmstadt_clerk)
    for _ in range(4):
        attempt(client, "da.clerk")
    client.post(LOGIN, {"username": "da.clerk", "password": TEST_PASSWORD})
    client.post(VERIFY, {"code": totp_code(device)})
    assert not SignInFailure.objects.exists()


def test_many_failures_from_one_address_refuse_that_address(
    client, settings, darmstadt_clerk, modautal_clerk
):
    settings.AMTSWEG_STAFF_MAX_FAILURES_PER_IP = 6
    for number in range(6):  # one password tried against many names
        attempt(client, f"someone.{number}", ip="198.51.100.7")
    refused = attempt(client, "mod.clerk", password=TEST_PASSWORD, ip="198.51.100.7")
    assert refused.status_code == 200
    assert not AccountLock.objects.exists()  # no account is locked by it
    assert (
        attempt(client, "mod.clerk", password=TEST_PASSWORD, ip="198.51.100.8").status_code == 302
    )


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(client, settings, modautal_clerk):
    """The proxy appends the address it saw; what comes before is the client's own claim."""
    settings.AMTSWEG_BEHIND_PROXY = True
    settings.AMTSWEG_STAFF_MAX_FAILURES_PER_IP = 2
    for number in range(2):
        client.post(
            LOGIN,
            {"username": f"x{number}", "password": "nope nope nope"},
            HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.2",
        )
    assert SignInFailure.objects.filter(ip="10.0.0.2").count() == 2
    refused = client.post(
        LOGIN,
        {"username": "mod.clerk", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.2",
    )
    assert refused.status_code == 200


def test_an_administrator_ends_a_lock_in_the_admin(client, darmstadt_clerk):
    for _ in range(5):
        attempt(client, "da.clerk")
    lock = AccountLock.objects.get()
    operator = UserFactory(username="op", is_staff=True, is_superuser=True)
    admin = client.__class__()
    login_staff(admin, operator)
    listing = admin.get(reverse("admin:staff_auth_accountlock_changelist"))
    assert listing.status_code == 200
    assert lock.account_key not in listing.content.decode()
    admin.post(reverse("admin:staff_auth_accountlock_delete", args=[lock.pk]), {"post": "yes"})
    assert not AccountLock.objects.exists()
    attempt(client, "da.clerk")  # one more mistake does not lock again
    assert attempt(client, "da.clerk", password=TEST_PASSWORD).status_code == 302
