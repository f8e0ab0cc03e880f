from django.contrib import admin

from amtsweg.catalog.models import Offering, Service, Solution, SolutionVersion


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "leika_key", "ozg_id", "themenfeld", "lebenslage"]
    list_filter = ["themenfeld"]
    search_fields = ["name", "leika_key"]


class SolutionVersionInline(admin.TabularInline):
    model = SolutionVersion
    fields = ["number", "status", "trust_level", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "publisher", "forked_from"]
    inlines = [SolutionVersionInline]


@admin.register(SolutionVersion)
class SolutionVersionAdmin(admin.ModelAdmin):
    list_display = ["solution", "number", "status", "published_at"]
    list_filter = ["status"]

    def get_readonly_fields(
        self, request: object, obj: SolutionVersion | None = None
    ) -> list[str]:
        if obj and obj.status == "published":
            return [field.name for field in self.model._meta.fields]
        return ["published_at"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "processing_municipality", "is_active", "go_live"]
    list_filter = ["municipality", "is_active"]
