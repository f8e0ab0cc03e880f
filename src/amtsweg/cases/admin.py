from django.contrib import admin

from amtsweg.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "status", "assignee", "created_at"]
    list_filter = ["status", "municipality"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
