from django.contrib import admin

from amtsweg.progress.models import CatalogueLoad, OzgService, PaperStep, ServiceProgress


@admin.register(OzgService)
class OzgServiceAdmin(admin.ModelAdmin):
    list_display = ["ozg_id", "name", "themenfeld", "lebenslage", "withdrawn_at"]
    list_filter = ["themenfeld"]
    search_fields = ["ozg_id", "name", "keys__leika_key"]


@admin.register(CatalogueLoad)
class CatalogueLoadAdmin(admin.ModelAdmin):
    list_display = ["loaded_at", "added", "changed", "unchanged", "withdrawn", "reinstated"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ServiceProgress)
class ServiceProgressAdmin(admin.ModelAdmin):
    """Read-only: changes go through ``record_progress`` (checks and audit) on the dashboard."""

    list_display = ["municipality", "ozg_service", "state", "maturity", "planned_for"]
    list_filter = ["state", "maturity", "municipality"]
    list_select_related = ["municipality", "ozg_service"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PaperStep)
class PaperStepAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "created_at"]
    raw_id_fields = ["case"]
