"""Give cases opened before deadlines and search existed their deadline (received day plus the
version's processing days), closing time for finished ones, and their search text (reference
number and applicant name; the answers' text follows with ``refresh_search_text``)."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

FINAL = ("closed", "withdrawn")


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.select_related("submission__solution_version").iterator():
        submission = case.submission
        reference = submission.reference_number or ""
        case.search_text = " ".join(
            part for part in (reference, reference.replace("-", " "), submission.applicant_name)
            if part
        ).casefold()
        if case.deadline is None:
            received = timezone.localdate(submission.submitted_at or case.created_at)
            case.deadline = received + timedelta(
                days=submission.solution_version.processing_days
            )
        if case.status in FINAL and case.closed_at is None:
            case.closed_at = case.updated_at
        case.save(update_fields=["search_text", "deadline", "closed_at"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_deadlines_results_search"), ("catalog", "0003_workflow_and_retention_by_result")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
