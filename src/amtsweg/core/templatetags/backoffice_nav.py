"""``{% backoffice_links user as links %}``: which sections the back-office header offers.

Every back-office page shows the header, so what it needs is read in one query of the user's
memberships instead of one query per link (issue 9: five statements on every page before).
Only links that lead somewhere the user may go are offered; clerks never see a link that
would end in "access denied".
"""

from dataclasses import dataclass

from django import template

from amtsweg.catalog.versions import ADOPTING_ROLES, DESIGNING_ROLES
from amtsweg.progress.services import PROGRESS_ROLES
from amtsweg.tenants.models import Membership, Municipality, Role
from amtsweg.tenants.services import User

register = template.Library()


@dataclass(frozen=True)
class BackofficeLinks:
    may_design: bool
    may_follow_progress: bool
    may_adopt: bool
    may_browse_library: bool
    #: Where the user is municipal admin, for the appearance settings.
    administered: list[Municipality]


@register.simple_tag
def backoffice_links(user: User) -> BackofficeLinks:
    memberships = []
    if user.is_authenticated and user.is_active:
        memberships = list(
            Membership.objects.filter(user=user)
            .select_related("municipality")
            .only("role", "municipality__slug", "municipality__short_name")
            .order_by("municipality__short_name")
        )
    roles = {membership.role for membership in memberships}
    administered = {m.municipality.pk: m.municipality for m in memberships if m.role == Role.ADMIN}
    return BackofficeLinks(
        may_design=bool(roles & DESIGNING_ROLES),
        may_follow_progress=bool(roles & PROGRESS_ROLES),
        may_adopt=bool(roles & ADOPTING_ROLES),
        may_browse_library=bool(roles),
        administered=list(administered.values()),
    )
