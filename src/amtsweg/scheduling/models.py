"""ScheduledJob: when a periodic task last ran and is due next; shared by all schedulers."""

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One periodic task. The row, not a process, knows when the task is due: every scheduler
    on every machine reads it, and the one that locks it first enqueues the run and moves
    ``next_run_at`` forward in the same transaction."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    task_path = models.CharField(
        _("task"), max_length=300, help_text=_("Import path of the django-tasks task.")
    )
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run at"), db_index=True)
    last_run_at = models.DateTimeField(
        _("last run at"),
        null=True,
        blank=True,
        help_text=_("When a scheduler last enqueued the task."),
    )
    last_result = models.TextField(
        _("last result"),
        blank=True,
        help_text=_("Outcome of the last run that finished: its status and return value."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_seconds__gte=1), name="scheduled_job_interval"
            )
        ]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name

    @property
    def interval(self) -> timedelta:
        return timedelta(seconds=self.interval_seconds)

    def advance(self, now: datetime) -> None:
        """Move ``next_run_at`` to the first slot after ``now`` on the job's own grid.

        Slots missed while no scheduler ran are skipped, not caught up: a daily clean-up that
        was down for three days runs once, not three times in a row. Staying on the grid
        (rather than ``now + interval``) keeps a daily job at its hour instead of drifting by
        the scheduler's polling delay every day.
        """
        if self.next_run_at <= now:
            missed = (now - self.next_run_at) // self.interval + 1
            self.next_run_at += missed * self.interval
