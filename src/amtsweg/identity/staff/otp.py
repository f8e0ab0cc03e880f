"""The second factor: TOTP devices (django-otp), backup codes, and the session's verified state.

A session counts as verified when django-otp's middleware finds the device that verified it
(``user.is_verified()``), or when an OIDC identity provider vouched for a multi-factor log-in
(``mark_verified_by_identity_provider``).
"""

from base64 import b32encode

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.audit.services import record_event

#: How many one-time backup codes an enrolment hands out.
BACKUP_CODES = 10
IDP_MFA_SESSION_KEY = "amtsweg_staff_idp_mfa"


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has passed a second factor (see module docstring)."""
    user = request.user
    if not user.is_authenticated:
        return False
    check = getattr(user, "is_verified", None)
    if check is not None and check():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) == str(user.pk)


def mark_verified_by_identity_provider(request: HttpRequest) -> None:
    request.session[IDP_MFA_SESSION_KEY] = str(request.user.pk)


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def enrolment_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed TOTP device being set up; kept across page loads so the QR code the user
    may already have scanned stays valid until they confirm it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed in."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code, drawn on the server (no
    image library, no third-party service that would learn the secret)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=4)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 (our own markup)


def normalise(code: str) -> str:
    """Codes as typed: spaces and dashes dropped, backup codes case-insensitive."""
    return "".join(character for character in code if character not in " -").lower()


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with its first code and hand out fresh backup codes (returned once,
    to be shown once). Returns None when the code is wrong."""
    user = request.user
    with transaction.atomic():
        if verify_token(user, device.persistent_id, normalise(code)) is None:
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
        record_event("staff.second_factor_enrolled", user, actor=user)
    otp_login(request, device)
    return codes


def verify(request: HttpRequest, code: str) -> Device | None:
    """Check ``code`` against the user's confirmed devices: the app's code, or an unused backup
    code (which is then used up). Marks the session verified and returns the device."""
    user = request.user
    code = normalise(code)
    devices: list[Device] = [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]
    for device in devices:
        if verify_token(user, device.persistent_id, code) is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                record_event(
                    "staff.backup_code_used",
                    user,
                    actor=user,
                    data={"left": device.token_set.count()},
                )
            return device
    return None
