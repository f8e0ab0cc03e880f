"""Who may change a case: working roles of its municipality, and per-transition roles."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from amtsweg.cases.models import Case
from amtsweg.tenants.models import Role
from amtsweg.tenants.services import (
    CASE_VIEWING_ROLES,
    CASE_WORKING_ROLES,
    User,
    has_role,
    roles_in,
)


def can_work_on(user: User, case: Case) -> bool:
    """Whether the user may change the case (clerks and admins of its municipality)."""
    return has_role(user, case.municipality, CASE_WORKING_ROLES)


def is_admin_of(user: User, case: Case) -> bool:
    return has_role(user, case.municipality, frozenset({Role.ADMIN}))


@dataclass(frozen=True)
class CaseAccess:
    """What the case view lets the user do, from one read of their roles in the case's
    municipality (three ``has_role`` statements before, on every opening of a case)."""

    can_work: bool  # ``can_work_on``
    can_open_files: bool  # ``cases.services.is_processing_staff``
    is_admin: bool  # ``is_admin_of``


def access_to(user: User, case: Case) -> CaseAccess:
    roles = roles_in(user, case.municipality)
    return CaseAccess(
        can_work=bool(roles & CASE_WORKING_ROLES),
        can_open_files=bool(roles & CASE_VIEWING_ROLES),
        is_admin=Role.ADMIN in roles,
    )


def require_worker(user: AbstractBaseUser, case: Case) -> None:
    """Refuse read-only staff (and anyone else) every change to the case."""
    if not can_work_on(user, case):
        raise PermissionDenied(_("You may view this case but not change it."))


def holds_transition_role(user: User, case: Case, role: str) -> bool:
    """A transition's ``role`` is met by that role or by the municipality's admin."""
    if not role:
        return can_work_on(user, case)
    return has_role(user, case.municipality, frozenset({role, Role.ADMIN}))
