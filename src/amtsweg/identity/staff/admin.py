"""Locked accounts in the admin: an administrator who has checked who is asking can end a lock
early by deleting it. Failures are not listed: they are counted, not browsed."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from amtsweg.identity.staff.models import AccountLock, SignInFailure


@admin.register(AccountLock)
class AccountLockAdmin(admin.ModelAdmin):
    list_display = ["user", "locked_at", "locked_until"]
    list_select_related = ["user"]
    ordering = ["-locked_until"]
    readonly_fields = ["user", "locked_at", "locked_until"]
    exclude = ["account_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: AccountLock) -> None:
        self.delete_queryset(request, AccountLock.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccountLock]) -> None:
        """Unlock: the failures go too, or the next single mistake would lock again."""
        keys = list(queryset.values_list("account_key", flat=True))
        SignInFailure.objects.filter(account_key__in=keys).delete()
        queryset.delete()
