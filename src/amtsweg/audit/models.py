"""AuditEvent: an append-only, hash-chained record of who did what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The newest hash of one chain. Locking this row serialises appends to the chain, so two
    concurrent transactions can never both link to the same predecessor."""

    chain = models.CharField(max_length=20, unique=True)
    last_hash = models.CharField(max_length=64, blank=True)
    length = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.chain} ({self.length})"


class AuditEvent(models.Model):
    """One thing that happened. ``hash`` covers the event and the previous event's hash of the
    same chain (one chain per municipality), so a changed or removed row breaks the chain."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    chain = models.CharField(_("chain"), max_length=20)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff user"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=64, db_index=True)
    data = models.JSONField(_("details"), default=dict)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="unique_audit_sequence")
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")
