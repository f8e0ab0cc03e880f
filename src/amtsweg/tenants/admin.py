from django.contrib import admin

from amtsweg.tenants.models import Cluster, Membership, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["short_name", "kind", "ags", "ars", "reference_prefix"]
    search_fields = ["name", "short_name", "ags", "ars", "postcodes"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    filter_horizontal = ["members"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["municipality"]
