"""Failed staff sign-ins and the account locks they cause.

Both live in the database, not in a process's memory, so every web process behind a load balancer
counts the same failures and honours the same locks. Accounts are identified by a keyed hash of
the name as typed (``account_key``), never by the name itself: people type passwords into the
user-name field, and those must not end up in a table.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInStage(models.TextChoices):
    PASSWORD = "password", _("password")
    SECOND_FACTOR = "second_factor", _("second factor")
    SINGLE_SIGN_ON = "single_sign_on", _("single sign-on")


class SignInFailure(models.Model):
    """One failed password or code, kept for a day: the lock-out counts these per account and per
    client address."""

    account_key = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff user"),
    )
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SignInStage.choices)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "created_at"], name="staff_failure_account"),
            models.Index(fields=["ip", "created_at"], name="staff_failure_ip"),
        ]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.stage} {self.ip or ''}".strip()


class AccountLock(models.Model):
    """An account that may not sign in until ``locked_until``. The row outlives the lock: its
    end marks where counting starts again, so old failures cannot lock the account twice."""

    account_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff user"),
    )
    locked_at = models.DateTimeField(_("locked at"))
    locked_until = models.DateTimeField(_("locked until"), db_index=True)

    class Meta:
        verbose_name = _("locked account")
        verbose_name_plural = _("locked accounts")

    def __str__(self) -> str:
        return f"{self.user or '?'} {self.locked_until:%Y-%m-%d %H:%M}"
