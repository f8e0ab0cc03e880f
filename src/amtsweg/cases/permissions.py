"""Who may change a case: working roles of its municipality, and per-transition roles."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from amtsweg.cases.models import Case
from amtsweg.tenants.models import Role
from amtsweg.tenants.services import CASE_WORKING_ROLES, User, has_role


def can_work_on(user: User, case: Case) -> bool:
    """Whether the user may change the case (clerks and admins of its municipality)."""
    return has_role(user, case.municipality, CASE_WORKING_ROLES)


def is_admin_of(user: User, case: Case) -> bool:
    return has_role(user, case.municipality, frozenset({Role.ADMIN}))


def require_worker(user: AbstractBaseUser, case: Case) -> None:
    """Refuse read-only staff (and anyone else) every change to the case."""
    if not can_work_on(user, case):
        raise PermissionDenied(_("You may view this case but not change it."))


def holds_transition_role(user: User, case: Case, role: str) -> bool:
    """A transition's ``role`` is met by that role or by the municipality's admin."""
    if not role:
        return can_work_on(user, case)
    return has_role(user, case.municipality, frozenset({role, Role.ADMIN}))
