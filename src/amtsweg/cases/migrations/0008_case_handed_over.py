"""Case.handed_over: set by hand_over_case, so the inbox finds the offerings of handed-over
cases through a partial index instead of reading every case (docs/benchmarks.md). Existing
cases count as handed over when they sit in another inbox than their submission's
processing municipality's."""

from django.db import migrations, models


def mark_handed_over(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.exclude(
        municipality_id=models.F("submission__processing_municipality_id")
    ).update(handed_over=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_mail_attempts_and_decision_drafts"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="handed_over",
            field=models.BooleanField(default=False, editable=False, verbose_name="handed over"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("handed_over", True)),
                fields=["municipality"],
                name="case_handed_over_idx",
            ),
        ),
        migrations.RunPython(mark_handed_over, migrations.RunPython.noop),
    ]
