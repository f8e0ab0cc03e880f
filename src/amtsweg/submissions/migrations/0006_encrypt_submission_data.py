"""Encrypt the answers of existing submissions (ADR 0008).

The JSON column becomes a text column holding the JSON text, each row is sealed with the
installation's data key, and the field becomes ``EncryptedJSONField``. Reversible: going back
opens every row (the key must still be configured) and turns the column into JSON again.
"""

import json

from django.db import migrations, models

import amtsweg.submissions.fields
from amtsweg.lib import crypto

CONTEXT = "submissions_submission.data"
BATCH = 500


def _convert(apps, schema_editor, change) -> None:
    Submission = apps.get_model("submissions", "Submission")
    rows = Submission.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last).values_list("pk", "data")[:BATCH]):
        for pk, value in batch:
            rows.filter(pk=pk).update(data=change(value))
        last = batch[-1][0]


def encrypt_rows(apps, schema_editor) -> None:
    _convert(apps, schema_editor, lambda text: crypto.encrypt(text.encode("utf-8"), CONTEXT))


def decrypt_rows(apps, schema_editor) -> None:
    def opened(token: str) -> str:
        # Checked as JSON, so the column can become JSON again.
        return json.dumps(json.loads(crypto.decrypt(token, CONTEXT)), ensure_ascii=False)

    _convert(apps, schema_editor, opened)


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0005_submission_option_values"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="data",
            field=models.TextField(default="{}", verbose_name="data"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="submission",
            name="data",
            field=amtsweg.submissions.fields.EncryptedJSONField(default=dict, verbose_name="data"),
        ),
    ]
