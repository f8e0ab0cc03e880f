from django.contrib import admin

from amtsweg.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are made by tasks; the admin shows their state for support."""

    list_display = ["uuid", "kind", "submission", "state", "attempts", "created_at"]
    list_filter = ["kind", "state"]
    readonly_fields = ["last_error"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
