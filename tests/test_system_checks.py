"""Django's system checks: every management command runs them, so an operator sees each
warning on every ``migrate``, ``demo`` or ``serve``; there must be none."""

from django.core import checks


def test_the_system_checks_find_nothing():
    messages = checks.run_checks(include_deployment_checks=False)
    assert [str(message) for message in messages if not message.is_silenced()] == []


def test_the_only_template_tag_label_given_twice_is_our_i18n():
    """templates.W003 is silenced for ``{% load i18n %}`` (settings.TEMPLATES): a second label
    given twice must still come to light."""
    messages = checks.run_checks(tags=[checks.Tags.templates])
    warnings = [message for message in messages if message.id == "templates.W003"]
    assert len(warnings) == 1
    assert "'i18n' is used for multiple template tag modules" in warnings[0].msg
    assert "amtsweg.core.templatetags.kept_translations" in warnings[0].msg
