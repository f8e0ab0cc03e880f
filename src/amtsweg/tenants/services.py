"""The tenants app's public door: finding municipalities and scoping staff access to them."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from amtsweg.tenants.models import POSTCODE, Cluster, Membership, Municipality, Role, search_key

#: Roles that may change a case; read-only staff may only look.
CASE_WORKING_ROLES = frozenset({Role.ADMIN, Role.CLERK})
#: Roles that may see a municipality's cases.
CASE_VIEWING_ROLES = frozenset({Role.ADMIN, Role.CLERK, Role.READ_ONLY})

User = AbstractBaseUser | AnonymousUser


def search_municipalities(query: str) -> QuerySet[Municipality]:
    """Municipalities matching a name fragment or a 5-digit postcode, for the citizen portal."""
    query = "".join(character for character in query if character.isprintable()).strip()
    if not query:
        return Municipality.objects.none()
    if POSTCODE.fullmatch(query):
        return Municipality.objects.with_postcode(query)
    return Municipality.objects.filter(search_name__contains=search_key(query))


def municipalities_for(
    user: User, roles: frozenset[str] = CASE_VIEWING_ROLES
) -> QuerySet[Municipality]:
    """Where ``user`` holds one of ``roles``: the scope of every staff query for tenant data."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    return Municipality.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


def has_role(user: User, municipality: Municipality, roles: frozenset[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in ``municipality``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, municipality=municipality, role__in=roles).exists()


def roles_in(user: User, municipality: Municipality) -> frozenset[str]:
    """Every role ``user`` holds in ``municipality``, in one statement: for a page that asks
    ``has_role`` about several sets of roles there (the case view asks three)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, municipality=municipality).values_list(
            "role", flat=True
        )
    )


def share_a_cluster(first: Municipality, second: Municipality) -> bool:
    """Whether two municipalities share an IKZ cluster (and so may process for each other)."""
    if first.pk == second.pk:
        return True
    return Cluster.objects.filter(members=first).filter(members=second).exists()
