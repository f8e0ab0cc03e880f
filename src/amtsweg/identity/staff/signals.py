"""Every staff sign-in, by whatever path (password, OIDC, a test client), starts the staff
session clock; citizens' sessions never get it, so the staff idle rule never touches them."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from amtsweg.identity.staff import sessions
from amtsweg.identity.staff.accounts import is_staff_account


@receiver(user_logged_in, dispatch_uid="amtsweg.identity.staff.start_clock")
def start_staff_clock(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session") and is_staff_account(user):
        sessions.start(request)
