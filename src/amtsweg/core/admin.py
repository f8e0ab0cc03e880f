from django.contrib import admin

from amtsweg.core.models import AccessibilityFeedback


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    """Read-only: a citizen's report is evidence for the six-week answer period."""

    list_display = ["created_at", "municipality", "page", "email", "sent_at"]
    list_filter = ["municipality"]
    readonly_fields = ["municipality", "message", "email", "page", "created_at", "sent_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
