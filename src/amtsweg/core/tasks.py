"""Forwarding accessibility feedback to the body responsible for the page."""

from django_tasks import task

from amtsweg.core import legal


@task()
def forward_accessibility_feedback(feedback_id: int) -> str:
    """E-mail one feedback row to its municipality's contact (or the platform's); at most once."""
    return legal.forward_feedback(feedback_id)
