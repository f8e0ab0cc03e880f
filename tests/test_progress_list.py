"""The progress list of the step and summary pages: the page's own step marked current, the
completed ones as links back, the others as text, all titles in the visitor's language."""

import re

from django.urls import reverse

from tests.form_filling import valid_step_post


def progress(page: str) -> list[str]:
    """The list's entries, whitespace collapsed."""
    found = re.search(
        r'<ol class="kern-list kern-list--number amtsweg-steps">(.*?)</ol>', page, re.S
    )
    return [" ".join(entry.split()) for entry in re.findall(r"<li.*?</li>", found[1], re.S)]


def start(client, offering, language: str = "de") -> tuple[str, list[dict]]:
    client.cookies["django_language"] = language
    answer = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    return answer["Location"], offering.solution_version.form_definition["steps"]


def test_the_first_step_is_current_and_nothing_is_a_link(client, offering):
    first_url, steps = start(client, offering)
    entries = progress(client.get(first_url).content.decode())
    assert entries[0] == '<li aria-current="step"> <strong>Antragstellende Person</strong> </li>'
    assert all("<a " not in entry and "aria-current" not in entry for entry in entries[1:])
    assert entries[-1] == "<li>Prüfen und absenden</li>"
    assert len(entries) == len(steps) + 1


def test_a_completed_step_links_back_and_the_summary_is_current(client, offering):
    first_url, steps = start(client, offering, "en")
    second_url = client.post(first_url, valid_step_post(steps[0]))["Location"]
    entries = progress(client.get(second_url).content.decode())
    assert entries[0] == (
        f'<li> <a class="kern-link" href="{first_url}">Applicant</a> '
        '<span class="kern-sr-only">(completed)</span> </li>'
    )
    assert entries[1] == '<li aria-current="step"> <strong>Address</strong> </li>'

    url = second_url
    for step in steps[1:]:
        url = client.post(url, valid_step_post(step))["Location"]
    assert url.endswith("/zusammenfassung/")
    summary = progress(client.get(url).content.decode())
    assert all('<a class="kern-link" href="' in entry for entry in summary[:-1])
    assert summary[-1] == '<li aria-current="step"><strong>Check and submit</strong></li>'
