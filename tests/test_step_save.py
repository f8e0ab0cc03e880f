"""Storing a step of a draft (issue 9): one ``UPDATE``, without a transaction or a lock, when
the row is still the draft the request read; read again under a lock and merged when another
request (a second tab, a double click) changed it meanwhile, so no answer is lost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amtsweg.forms.services import steps_of, validate_step
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.submissions.services import save_step, start_draft, submit_application
from tests.factories import answers, make_complete_draft

pytestmark = pytest.mark.django_db


def step_values(draft: Submission, index: int, **changes: str) -> tuple[str, dict]:
    step = steps_of(draft.solution_version.form_definition)[index]
    result = validate_step(step, answers(**changes)[step["key"]])
    assert result.is_valid
    return step["key"], result.values


def test_a_step_of_an_unchanged_draft_is_one_update(offering):
    draft = start_draft(offering)
    key, values = step_values(draft, 0)

    with CaptureQueriesContext(connection) as queries:
        save_step(draft, key, values)

    assert [query["sql"].split()[0] for query in queries] == ["UPDATE"], queries
    stored = Submission.objects.get(pk=draft.pk)
    assert stored.completed_steps == [key]
    assert {name: stored.data[name] for name in values} == values
    assert stored.updated_at == draft.updated_at  # the next step's check compares with it
    second_key, second_values = step_values(draft, 1)
    with CaptureQueriesContext(connection) as queries:
        save_step(draft, second_key, second_values)  # the same object, as the demo fills one
    assert len(queries) == 1
    assert Submission.objects.get(pk=draft.pk).completed_steps == [key, second_key]


def test_a_step_stored_by_another_tab_meanwhile_is_kept(offering):
    draft = start_draft(offering)
    this_tab = Submission.objects.get(pk=draft.pk)
    other_tab = Submission.objects.get(pk=draft.pk)
    first_key, first_values = step_values(draft, 0, family_name="Neumann")
    second_key, second_values = step_values(draft, 1)
    save_step(other_tab, first_key, first_values)

    with CaptureQueriesContext(connection) as queries:
        save_step(this_tab, second_key, second_values)  # read before the other tab stored

    assert len(queries) > 1  # the conditional UPDATE found nothing; read again and stored
    stored = Submission.objects.get(pk=draft.pk)
    assert stored.completed_steps == [first_key, second_key]
    assert stored.data["family_name"] == "Neumann"
    assert {name: stored.data[name] for name in second_values} == second_values
    assert this_tab.data == stored.data  # the request goes on with what it stored


def test_a_draft_submitted_meanwhile_is_not_changed(offering):
    draft = make_complete_draft(offering)
    stale = Submission.objects.get(pk=draft.pk)
    submit_application(draft)
    submitted = Submission.objects.get(pk=draft.pk)
    key, values = step_values(stale, 0, family_name="Spät")

    before = (stale.data, stale.completed_steps, stale.updated_at)
    with pytest.raises(ValueError, match="submitted"):
        save_step(stale, key, values)

    assert (stale.data, stale.completed_steps, stale.updated_at) == before  # nothing half-set

    stored = Submission.objects.get(pk=draft.pk)
    assert stored.status == SubmissionStatus.SUBMITTED
    assert (stored.data, stored.updated_at) == (submitted.data, submitted.updated_at)


def test_a_draft_removed_meanwhile_is_not_found(offering):
    draft = start_draft(offering)
    stale = Submission.objects.get(pk=draft.pk)
    Submission.objects.filter(pk=draft.pk).delete()
    key, values = step_values(stale, 0)

    with pytest.raises(Submission.DoesNotExist):
        save_step(stale, key, values)
    assert not Submission.objects.filter(pk=draft.pk).exists()
