"""Encryption at rest of the applicant's answers (ADR 0008): what the database holds, what
happens to altered or misplaced values, key rotation, a missing key, and the migration."""

import base64
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from amtsweg.catalog.models import Offering
from amtsweg.lib import crypto
from amtsweg.submissions.models import Submission
from tests.factories import make_complete_draft

CONTEXT = "submissions_submission.data"


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _raw(submission: Submission) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM submissions_submission WHERE id = %s", [submission.pk])
        return cursor.fetchone()[0]


def _write_raw(submission: Submission, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE submissions_submission SET data = %s WHERE id = %s", [value, submission.pk]
        )


@pytest.fixture
def draft(offering: Offering) -> Submission:
    return make_complete_draft(offering)


def test_the_column_holds_no_answer_and_the_model_reads_the_dict(draft: Submission) -> None:
    raw = _raw(draft)
    assert raw.startswith(f"aw1:{crypto.keyring().current_id}:")
    for answer in ("Mustermann", "Erika", "Luisenplatz", "Bello", "family_name"):
        assert answer not in raw
    loaded = Submission.objects.get(pk=draft.pk)
    assert loaded.data["family_name"] == "Mustermann"
    assert loaded.data == draft.data
    # values_list goes through the field too (services read the data this way).
    (data,) = Submission.objects.filter(pk=draft.pk).values_list("data", flat=True)
    assert data["remarks"] == "Bello bellt nachts, Schlüssel beim Nachbarn"


def test_the_same_answers_are_sealed_differently_each_time(draft: Submission) -> None:
    first = _raw(draft)
    draft.save(update_fields=["data"])
    assert _raw(draft) != first
    assert Submission.objects.get(pk=draft.pk).data == draft.data


@pytest.mark.parametrize("position", [0, 6, 15, 30, 60, -3])
def test_one_changed_byte_is_an_error_not_garbage(draft: Submission, position: int) -> None:
    raw = _raw(draft)
    kid_end = len("aw1:") + 8
    index = position % len(raw)
    if len("aw1:") <= index < kid_end:
        replacement = "0" if raw[index] != "0" else "1"
    else:
        replacement = "A" if raw[index] != "A" else "B"
    _write_raw(draft, raw[:index] + replacement + raw[index + 1 :])
    with pytest.raises(crypto.DecryptionError):
        Submission.objects.get(pk=draft.pk)


def test_a_tampered_ciphertext_names_the_integrity_check(draft: Submission) -> None:
    prefix, kid, body = _raw(draft).split(":")
    raw_body = bytearray(base64.urlsafe_b64decode(body))
    raw_body[-1] ^= 0x01
    _write_raw(draft, f"{prefix}:{kid}:{base64.urlsafe_b64encode(bytes(raw_body)).decode()}")
    with pytest.raises(crypto.DecryptionError, match="integrity check"):
        Submission.objects.get(pk=draft.pk)


def test_plain_json_in_the_column_is_refused(draft: Submission) -> None:
    _write_raw(draft, '{"applicant": {"family_name": "Mustermann"}}')
    with pytest.raises(crypto.DecryptionError, match="not in the 'aw1' encrypted format"):
        Submission.objects.get(pk=draft.pk)


def test_a_value_does_not_open_in_another_table_or_column(draft: Submission) -> None:
    raw = _raw(draft)
    assert crypto.decrypt(raw, CONTEXT)  # opens where it belongs
    for elsewhere in ("submissions_submission.option_values", "cases_case.data"):
        with pytest.raises(crypto.DecryptionError, match="belongs to another table or column"):
            crypto.decrypt(raw, elsewhere)


def test_rotation_rewraps_and_old_key_records_read_before_and_after(
    draft: Submission, settings: Any
) -> None:
    old_key, old_id = settings.AMTSWEG_DATA_KEY, crypto.keyring().current_id
    other = make_complete_draft(draft.offering, family_name="Musterfrau")
    new_key = _new_key()
    settings.AMTSWEG_DATA_KEY = new_key
    settings.AMTSWEG_DATA_KEYS_OLD = [old_key]
    new_id = crypto.keyring().current_id
    assert new_id != old_id
    # Before rotation: old records still open; new writes use the new key.
    assert Submission.objects.get(pk=draft.pk).data["family_name"] == "Mustermann"
    assert crypto.key_id_of(_raw(draft)) == old_id
    other.save(update_fields=["data"])
    assert crypto.key_id_of(_raw(other)) == new_id
    before = _raw(draft)

    out = StringIO()
    with translation.override("en"):
        call_command("rotate_data_key", batch_size=1, stdout=out)
    assert "1 submissions re-wrapped" in out.getvalue()
    assert "2 of 2 submissions checked" in out.getvalue()
    after = _raw(draft)
    assert crypto.key_id_of(after) == new_id
    # Only the wrapped data key changed: nonce and ciphertext are the same bytes.
    old_body = base64.urlsafe_b64decode(before.split(":")[2])
    new_body = base64.urlsafe_b64decode(after.split(":")[2])
    assert old_body[:12] == new_body[:12] and old_body[52:] == new_body[52:]
    assert old_body[12:52] != new_body[12:52]

    # Idempotent: a second run changes nothing.
    out = StringIO()
    with translation.override("en"):
        call_command("rotate_data_key", stdout=out)
    assert "0 submissions re-wrapped" in out.getvalue()
    assert _raw(draft) == after

    # The old key can go now.
    settings.AMTSWEG_DATA_KEYS_OLD = []
    assert Submission.objects.get(pk=draft.pk).data["family_name"] == "Mustermann"
    assert Submission.objects.get(pk=other.pk).data["family_name"] == "Musterfrau"


def test_a_missing_key_says_which_key_and_what_to_set(draft: Submission, settings: Any) -> None:
    old_id = crypto.keyring().current_id
    settings.AMTSWEG_DATA_KEY = _new_key()  # e.g. var/data_key lost and generated anew
    with pytest.raises(crypto.UnknownDataKey) as error:
        Submission.objects.get(pk=draft.pk)
    message = str(error.value)
    assert repr(old_id) in message
    assert "AMTSWEG_DATA_KEY" in message and "AMTSWEG_DATA_KEYS_OLD" in message
    # Rotation refuses the row too, and says which one, instead of skipping it.
    with pytest.raises(CommandError, match=f"Submission {draft.pk}: .*not configured"):
        call_command("rotate_data_key", stdout=StringIO())


@pytest.mark.parametrize(
    ("value", "problem"),
    [("not base64!", "must be base64"), (base64.b64encode(b"short").decode(), "exactly 32")],
)
def test_a_malformed_key_is_a_clear_configuration_error(
    settings: Any, value: str, problem: str
) -> None:
    settings.AMTSWEG_DATA_KEY = value
    with pytest.raises(ImproperlyConfigured, match=problem):
        crypto.keyring()


def test_a_generated_key_file_is_reused_and_private(tmp_path: Path) -> None:
    first = crypto.load_or_create_data_key(tmp_path)
    assert crypto.load_or_create_data_key(tmp_path) == first
    assert len(crypto.decode_key(first)) == 32
    assert (tmp_path / "data_key").stat().st_mode & 0o077 == 0


def test_the_cost_per_value_is_microseconds(draft: Submission) -> None:
    """Not a benchmark, a guard: sealing and opening a whole application stays far below the
    cost of the request around it (figures in ADR 0008)."""
    plain = Submission._meta.get_field("data").get_prep_value  # json + seal
    runs = 2000
    start = time.perf_counter()
    for _ in range(runs):
        token = plain(draft.data)
    sealed = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        crypto.decrypt(token, CONTEXT)
    opened = (time.perf_counter() - start) / runs
    assert sealed < 0.001 and opened < 0.001, (sealed, opened)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses(offering: Offering) -> None:
    draft = make_complete_draft(offering)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("submissions")
    try:
        executor.migrate([("submissions", "0005_submission_option_values")])
        plain = _raw(draft)
        assert "Mustermann" in plain  # back to JSON
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert "Mustermann" not in _raw(draft)
    assert Submission.objects.get(pk=draft.pk).data == draft.data


def test_a_key_file_written_meanwhile_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes starting at once both find no key file; the second must take the first
    one's key, not replace it (the values sealed with the first would be lost for good)."""
    first = crypto.load_or_create_data_key(tmp_path)
    # The second process checked before the first one wrote its file.
    monkeypatch.setattr(Path, "exists", lambda self: False)
    assert crypto.load_or_create_data_key(tmp_path) == first
    assert (tmp_path / "data_key").read_text(encoding="utf-8").strip() == first


def test_rotation_names_the_row_that_is_not_encrypted(draft: Submission) -> None:
    """A row left unencrypted (restored by hand, say) stops the rotation with a clear error
    naming it, not with a traceback."""
    _write_raw(draft, '{"family_name": "Mustermann"}')
    with pytest.raises(CommandError, match=f"Submission {draft.pk}:.*encrypted format"):
        call_command("rotate_data_key", stdout=StringIO())
