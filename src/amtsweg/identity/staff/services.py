"""The staff sign-in's public door for other apps."""

from amtsweg.identity.staff.accounts import is_staff_account
from amtsweg.identity.staff.middleware import staff_public
from amtsweg.identity.staff.otp import is_verified as second_factor_passed

__all__ = ["is_staff_account", "second_factor_passed", "staff_public"]
