from django.contrib import admin

from amtsweg.scheduling.models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Operators see when each job ran and what came of it; moving ``next_run_at`` to now runs
    a job at the next scheduler round. Jobs themselves are declared in code (``@periodic``)."""

    list_display = ["name", "interval_seconds", "next_run_at", "last_run_at", "last_result"]
    readonly_fields = ["name", "task_path", "interval_seconds", "last_run_at", "last_result"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
