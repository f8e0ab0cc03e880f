"""``user|may_follow_progress``: whether the back office header links the OZG dashboard."""

from django import template

from amtsweg.progress.services import dashboard_municipalities
from amtsweg.tenants.services import User

register = template.Library()


@register.filter
def may_follow_progress(user: User) -> bool:
    return dashboard_municipalities(user).exists()
