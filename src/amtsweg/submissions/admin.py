from django.contrib import admin

from amtsweg.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Operators look, they do not edit: applicants' data changes only through the journey."""

    list_display = ["reference_number", "offering", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["reference_number"]
    exclude = ["data", "access_code_hash"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
