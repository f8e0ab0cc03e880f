"""A step page renders each field with its own type's template and nothing more: the wrapper,
label, hints, error, aria-describedby and visibility come from Python tags (field_parts), not
from five included templates per field (issue 9: the CPU of a step page)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from amtsweg.forms.services import BoundField


def test_a_step_page_includes_at_most_two_templates_per_field(client, offering):
    start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    response = client.get(start["Location"])
    assert response.status_code == 200
    fields = response.context["fields"]
    rendered = [t.name for t in response.templates if t.name.startswith("forms/fields/")]
    assert fields and len(rendered) <= 2 * len(fields) + 1  # + the error summary


def test_every_part_of_a_field_is_there_and_linked():
    bound = BoundField(
        {
            "key": "name",
            "type": "text",
            "label": "Name <b>",
            "help": "As in the passport",
            "visible_if": {"==": [{"var": "kind"}, "person"]},
        },
        "name",
        value="Ada",
        error="Too short.",
        shown=False,
        readonly=True,
    )
    with translation.override("en"):
        html = render_to_string(bound.template, {"field": bound, "validate_url": "/check/"})
    assert '<label class="kern-label" for="field-name">Name &lt;b&gt; <span' in html
    assert '<span class="kern-label__optional">– optional</span></label>' in html
    assert '<div class="kern-hint" id="field-name-source">From your BundID account' in html
    assert '<div class="kern-hint" id="field-name-hint">As in the passport</div>' in html
    assert '<p class="kern-error" id="field-name-error">' in html and "Too short." in html
    assert (
        ' aria-describedby="field-name-source field-name-hint field-name-error"'
        ' aria-invalid="true">'
    ) in html
    assert (
        ' data-visible-if="{&quot;==&quot;: [{&quot;var&quot;: &quot;kind&quot;}, '
        '&quot;person&quot;]}" data-name="name" hidden>'
    ) in html


def test_the_wrapper_asks_for_the_inline_check_only_where_it_can_be_made():
    def wrapped(**kwargs: object) -> str:
        bound = BoundField({"key": "a.b", "type": "text", "label": "A"}, "a.b", **kwargs)
        return render_to_string(
            "submissions/_validated_field.html", {"field": bound, "validate_url": "/check/"}
        )

    checked = wrapped()
    assert '<div class="amtsweg-field" id="field-a-b-field" data-inline-validation' in checked
    assert 'hx-post="/check/"' in checked and 'hx-vals=\'{"_field": "a.b"}\'' in checked
    assert "data-inline-validation" not in wrapped(readonly=True)
