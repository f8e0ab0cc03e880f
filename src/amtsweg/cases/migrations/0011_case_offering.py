"""Case.offering: the submission's offering on the case itself, so the inbox filters and
counts by service without joining each case to its submission (ADR 0007, issue #9).

The column is added without its foreign key constraint, filled from the submissions in one
UPDATE with a subquery (a million cases: one statement, no Python loop), and only then made
NOT NULL with its constraint, which PostgreSQL checks in one pass instead of queueing a
trigger event for every updated row. The two count indexes that now carry the offering are
dropped before the UPDATE and built after it, so it does not maintain them row by row.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_offering(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Submission = apps.get_model("submissions", "Submission")
    Case.objects.update(
        offering=Subquery(
            Submission.objects.filter(pk=OuterRef("submission_id")).values("offering")
        )
    )


class Migration(migrations.Migration):
    # Only what it reads (Offering, Submission.offering: there since the first migrations), so
    # that migrating submissions back and forth (tests/test_encryption_at_rest.py) leaves it be.
    dependencies = [
        ("cases", "0010_inbox_count_indexes"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_open_status_idx"),
        migrations.RemoveIndex(model_name="case", name="case_finished_idx"),
        migrations.AddField(
            model_name="case",
            name="offering",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.offering",
                verbose_name="service",
            ),
        ),
        migrations.RunPython(copy_offering, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="offering",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.offering",
                verbose_name="service",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["municipality", "assignee", "status"],
                include=("offering",),
                name="case_open_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", False)),
                fields=["municipality", "closed_at"],
                include=("status", "offering", "assignee"),
                name="case_finished_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["offering", "municipality", "status", "assignee"],
                name="case_offering_idx",
            ),
        ),
    ]
