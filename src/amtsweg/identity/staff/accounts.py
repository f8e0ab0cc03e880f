"""Who counts as staff, and where a request comes from."""

import ipaddress

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from amtsweg.tenants.models import Role
from amtsweg.tenants.services import municipalities_for

ANY_ROLE = frozenset(Role.values)


def is_staff_account(user: AbstractBaseUser | AnonymousUser) -> bool:
    """An active account that holds a role in a municipality, or may use the admin.

    Only these may sign in at the staff log-in, enrol a second factor or sign in by OIDC: an
    account without any role has nothing to do in the back office, and the fewer accounts can
    pass the first factor, the fewer can be attacked at the second.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return municipalities_for(user, roles=ANY_ROLE).exists()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for counting failures per address.

    Behind a reverse proxy (``AMTSWEG_BEHIND_PROXY``) that is the last X-Forwarded-For entry,
    the one our own proxy appended; the entries before it are whatever the client claimed.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.AMTSWEG_BEHIND_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        address = hops[-1] or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
