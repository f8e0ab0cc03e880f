"""Lock-out after repeated failures, counted in the database.

``AMTSWEG_STAFF_MAX_FAILURES`` wrong passwords or codes for one account within
``AMTSWEG_STAFF_LOCKOUT_MINUTES`` lock that account for as long;
``AMTSWEG_STAFF_MAX_FAILURES_PER_IP`` failures from one client address within the same time
refuse that address, which slows down trying one common password against many accounts. A name
that belongs to no account is counted and locked exactly like a real one, so the answers never
tell which names exist.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from amtsweg.audit.services import record_event
from amtsweg.identity.staff.models import AccountLock, SignInFailure, SignInStage

logger = logging.getLogger("amtsweg.identity.staff")

#: Failure rows older than this are deleted; the lock-out only ever looks at the last window.
KEEP_FAILURES = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    max_failures: int
    max_failures_per_ip: int
    window: timedelta


def policy() -> Policy:
    """The limits from settings, read at call time so that tests can change them."""
    return Policy(
        max_failures=settings.AMTSWEG_STAFF_MAX_FAILURES,
        max_failures_per_ip=settings.AMTSWEG_STAFF_MAX_FAILURES_PER_IP,
        window=timedelta(minutes=settings.AMTSWEG_STAFF_LOCKOUT_MINUTES),
    )


def account_key(username: str) -> str:
    """A keyed hash of the name as typed (case-insensitive), so no typed text is stored."""
    return salted_hmac("amtsweg.identity.staff.lockout", username.strip().casefold()).hexdigest()


def is_locked(username: str) -> bool:
    return AccountLock.objects.filter(
        account_key=account_key(username), locked_until__gt=timezone.now()
    ).exists()


def is_ip_blocked(ip: str | None) -> bool:
    if ip is None:
        return False
    limits = policy()
    recent = SignInFailure.objects.filter(ip=ip, created_at__gt=timezone.now() - limits.window)
    return recent.count() >= limits.max_failures_per_ip


def is_blocked(username: str, ip: str | None) -> bool:
    """Whether a sign-in for ``username`` from ``ip`` is refused without looking at it."""
    blocked = is_locked(username) or is_ip_blocked(ip)
    if blocked:
        logger.warning("Staff sign-in refused while locked (ip %s)", ip)
    return blocked


def record_failure(
    *,
    username: str,
    ip: str | None,
    stage: SignInStage,
    user: AbstractBaseUser | None = None,
) -> bool:
    """Count one failure; lock the account when it reaches the limit. Returns whether it did.

    ``user`` is the account the name belongs to, if any; it only ties the rows to the account
    for the admin and the audit log and changes nothing in how the failure is counted.
    """
    now = timezone.now()
    key = account_key(username)
    limits = policy()
    SignInFailure.objects.create(account_key=key, user=user, ip=ip, stage=stage, created_at=now)
    SignInFailure.objects.filter(created_at__lt=now - KEEP_FAILURES).delete()
    AccountLock.objects.filter(locked_until__lt=now - KEEP_FAILURES).delete()
    logger.warning(
        "Staff sign-in failed at the %s stage for %s (ip %s)",
        stage,
        f"user {user.pk}" if user else "an unknown name",
        ip,
    )
    since = now - limits.window
    previous = AccountLock.objects.filter(account_key=key).first()
    if previous is not None and previous.locked_until > since:
        since = previous.locked_until
    failures = SignInFailure.objects.filter(account_key=key, created_at__gt=since).count()
    if failures < limits.max_failures:
        return False
    _lock(key, user, now, now + limits.window, failures)
    return True


def _lock(
    key: str, user: AbstractBaseUser | None, now: datetime, until: datetime, failures: int
) -> None:
    """Create or renew the lock row and record the lock-out (for a real account) in the audit log.

    Two processes may reach the limit at once; the unique key makes one of them update the row
    the other created.
    """
    values = {"user": user, "locked_at": now, "locked_until": until}
    try:
        with transaction.atomic():
            AccountLock.objects.update_or_create(account_key=key, defaults=values)
    except IntegrityError:
        AccountLock.objects.filter(account_key=key).update(**values)
    logger.warning(
        "Staff account %s locked until %s after %d failures",
        f"user {user.pk}" if user else "of an unknown name",
        until.isoformat(),
        failures,
    )
    if user is not None:
        record_event(
            "staff.locked_out",
            user,
            actor_label="system",
            data={"failures": failures, "locked_until": until.isoformat()},
        )


def clear_failures(username: str) -> None:
    """Forget the account's failures after a complete sign-in (password and second factor).

    Only then: a correct password alone must not reset the count, or someone who knows it could
    guess codes forever, a few at a time.
    """
    SignInFailure.objects.filter(account_key=account_key(username)).delete()
