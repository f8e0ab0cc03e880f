"""Reference numbers (Aktenzeichen) and access codes for submissions."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import connection

from amtsweg.submissions.models import ReferenceSequence
from amtsweg.tenants.models import Municipality

# Without 0/O, 1/I/L: an access code is read from paper and typed in again.
_ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_ACCESS_CODE_GROUPS = 3
_ACCESS_CODE_GROUP_LENGTH = 4


def next_reference_number(municipality: Municipality, year: int) -> str:
    """Hand out the next number of ``municipality`` in ``year``, e.g. ``DA-2026-000042``.

    Must run inside the transaction that stores the submission: the sequence row stays locked
    until it commits, so concurrent submissions get consecutive numbers without gaps or doubles.
    One statement locks the row and counts on (``UPDATE … RETURNING``, on PostgreSQL and
    SQLite alike); call it as late in the transaction as possible, since every other submit of
    the municipality waits from here until the commit.
    """
    number = _count_on(municipality.pk, year)
    if number is None:  # the year's first number: make its row (a racing twin is ignored)
        ReferenceSequence.objects.bulk_create(
            [ReferenceSequence(municipality=municipality, year=year)], ignore_conflicts=True
        )
        number = _count_on(municipality.pk, year)
    return f"{municipality.reference_prefix}-{year}-{number:06d}"


def _count_on(municipality_id: int, year: int) -> int | None:
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1"  # noqa: S608 - our table name
            " WHERE municipality_id = %s AND year = %s RETURNING last_number",
            [municipality_id, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def new_access_code() -> str:
    """A random code (about 59 bits) to look up the status with, e.g. ``K7QM-2XRP-9HTA``."""
    groups = (
        "".join(secrets.choice(_ACCESS_CODE_ALPHABET) for _ in range(_ACCESS_CODE_GROUP_LENGTH))
        for _ in range(_ACCESS_CODE_GROUPS)
    )
    return "-".join(groups)


def normalize_access_code(code: str) -> str:
    """Accept codes typed in lower case, with spaces or without dashes."""
    return "".join(character for character in code.upper() if character.isalnum())


def hash_access_code(code: str) -> str:
    """A keyed hash of the code: the plain code is shown once and never stored.

    The code carries enough randomness that a keyed SHA-256 suffices; a slow password hash would
    cost every submission tens of milliseconds for no gain.
    """
    return hmac.new(
        settings.SECRET_KEY.encode(), normalize_access_code(code).encode(), hashlib.sha256
    ).hexdigest()


def access_code_matches(code: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_access_code(code), stored_hash)
