"""Receipts rendered at a lower CPU priority than the task worker's database work
(``amtsweg.lib.niceness``, docs/adr/0010): under a peak the web workers get the CPU first,
while the worker's locks are never held by a thread the scheduler keeps waiting."""

import os
import sys
import threading

import pytest
from django.db import connections

from amtsweg.documents import rendering
from amtsweg.documents.models import Document, DocumentKind, GenerationState
from amtsweg.documents.tasks import generate_receipt
from amtsweg.lib import niceness as niceness_module
from amtsweg.lib.niceness import at_niceness

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def _thread_and_niceness() -> tuple[int, int]:
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


def _lower_than_now() -> int:
    """A nice value above this thread's own, so that a test sees it take effect."""
    niceness = _thread_and_niceness()[1] + 5
    if niceness > 19:
        pytest.skip("this process runs at the lowest priority already")
    return niceness


@linux_only
def test_work_runs_in_a_thread_of_its_own_at_the_niceness():
    caller, wanted = _thread_and_niceness(), _lower_than_now()

    thread, niceness = at_niceness(wanted, _thread_and_niceness)

    assert thread != caller[0]
    assert niceness == wanted
    assert _thread_and_niceness() == caller  # the caller keeps its priority
    assert at_niceness(wanted, _thread_and_niceness)[0] == thread  # one thread, kept


def test_niceness_zero_runs_in_the_calling_thread():
    assert at_niceness(0, _thread_and_niceness) == _thread_and_niceness()


@linux_only
def test_the_work_s_exception_reaches_the_caller():
    def fail() -> None:
        raise ValueError("kaputt")

    with pytest.raises(ValueError, match="kaputt"):
        at_niceness(9, fail)
    assert at_niceness(9, lambda: "weiter") == "weiter"  # the thread survives it


@linux_only
def test_a_refused_niceness_still_gets_the_work_done(monkeypatch, caplog):
    """A sandbox that filters setpriority must not cost the receipts: they render at normal
    priority instead, and the log says so."""

    def refuse(*args):
        raise PermissionError("Operation not permitted")

    monkeypatch.setattr(os, "setpriority", refuse)
    monkeypatch.setattr(niceness_module, "_executors", {})

    assert at_niceness(13, lambda: "gerendert") == "gerendert"
    assert at_niceness(13, lambda: "wieder") == "wieder"
    assert "nice 13 refused" in caplog.text


@linux_only
@pytest.mark.django_db
def test_the_receipt_job_renders_its_pdf_at_the_configured_niceness(
    submitted, settings, monkeypatch
):
    settings.RECEIPT_RENDER_NICENESS = wanted = _lower_than_now()
    seen = []
    render = rendering._pdf_from_html

    def watched(*args):
        seen.append(_thread_and_niceness())
        return render(*args)

    monkeypatch.setattr(rendering, "_pdf_from_html", watched)
    submission = submitted.submission

    assert generate_receipt.call(submission.pk) == "generated"

    receipt = Document.objects.get(submission=submission, kind=DocumentKind.RECEIPT)
    assert receipt.state == GenerationState.DONE and receipt.page_count >= 1
    assert seen and seen[-1][0] != threading.get_native_id()
    assert seen[-1][1] == wanted
    # WeasyPrint's part stays away from Django: no database connection in its thread.
    assert at_niceness(wanted, lambda: connections["default"].connection is None)
