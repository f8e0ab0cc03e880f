from django.contrib import admin

from amtsweg.cases.models import Case, MailAttempt


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "status", "assignee", "created_at"]
    list_filter = ["status", "municipality"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(MailAttempt)
class MailAttemptAdmin(admin.ModelAdmin):
    """Read-only: every attempt to send a notification, for support (filter "given up" to
    find what did not reach anyone); the rows are written by the mail tasks."""

    list_display = ["created_at", "case", "kind", "attempt", "outcome", "error", "retry_at"]
    list_filter = ["outcome", "kind"]
    list_select_related = ["case__submission"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
