"""The date field as KERN UX recommends it: day, month and year in three labelled boxes inside
one fieldset whose legend names the date, with an example as hint and an error that says which
box to fix. A single text (ISO or TT.MM.JJJJ) sent under the field's name still counts."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from amtsweg.forms.registry import FieldError, registry
from amtsweg.forms.services import BoundField, validate_step
from tests.factories import VALID_ANSWERS

DATE = registry["date"]


def parts(day: str, month: str, year: str) -> dict[str, str]:
    return {"day": day, "month": month, "year": year}


def refusal(sent: dict[str, str], **field: object) -> str:
    with translation.override("de"), pytest.raises(FieldError) as problem:
        DATE.parse_parts({"key": "d", "type": "date", **field}, sent)
    return str(problem.value)


def test_three_boxes_give_an_iso_date_and_empty_boxes_no_date():
    field = {"key": "d", "type": "date"}
    assert DATE.parse_parts(field, parts("1", "3", "2024")) == "2024-03-01"
    assert DATE.parse_parts(field, parts(" 29", "02 ", "2024")) == "2024-02-29"
    assert DATE.parse_parts(field, parts("", "", "")) is None
    assert DATE.as_input(field, "2024-03-01") == parts("1", "3", "2024")


def test_each_wrong_box_gets_its_own_german_message():
    assert refusal(parts("1", "13", "2024")) == "Geben Sie einen Monat zwischen 1 und 12 an."
    assert refusal(parts("1", "", "")) == "Vervollständigen Sie das Datum: Monat, Jahr."
    assert refusal(parts("30", "2", "2024")) == (
        "Geben Sie einen Tag zwischen 1 und 29 an: dieser Monat hat 29 Tage."
    )
    assert refusal(parts("1", "2", "24")) == "Geben Sie das Jahr vierstellig an, z. B. 1990."
    assert refusal(parts("1", "Mai", "2024")).startswith("Geben Sie Tag, Monat und Jahr")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    future = parts(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))
    assert "Vergangenheit" in refusal(future, not_after_today=True)


def test_a_single_text_under_the_name_is_parsed_tolerantly():
    step = {"key": "s", "fields": [{"key": "born", "type": "date", "label": "Geboren"}]}
    assert validate_step(step, {"born": ["24.12.1990"]}).values == {"born": "1990-12-24"}
    assert validate_step(step, {"born": ["1990-12-24"]}).values == {"born": "1990-12-24"}
    sent = {"born.day": ["24"], "born.month": ["12"], "born.year": ["1990"]}
    assert validate_step(step, sent).values == {"born": "1990-12-24"}
    wrong = validate_step(step, {"born.day": ["24"], "born.month": ["0"], "born.year": ["1990"]})
    assert [bound.error_anchor for bound in wrong.errors] == ["field-born-day"]


def test_the_template_is_one_fieldset_with_legend_hint_and_three_labelled_boxes():
    bound = BoundField(
        {"key": "born", "type": "date", "label": "Geburtsdatum", "required": True},
        "born",
        value=parts("24", "12", "1990"),
        error="Geben Sie einen Monat zwischen 1 und 12 an.",
    )
    with translation.override("de"):
        html = render_to_string(bound.template, {"field": bound})
    assert html.count("<fieldset") == 1 and "<legend" in html and "Geburtsdatum" in html
    assert 'aria-describedby="field-born-hint field-born-error"' in html
    assert "Zum Beispiel: 24 12 1990" in html
    for part, label, value in (
        ("day", "Tag", "24"),
        ("month", "Monat", "12"),
        ("year", "Jahr", "1990"),
    ):
        assert f'<label class="kern-label" for="field-born-{part}">{label}</label>' in html
        assert f'name="born.{part}" type="text" inputmode="numeric"' in html
        assert f'value="{value}"' in html
    assert html.count('aria-invalid="true"') == 3


def test_the_step_page_shows_the_boxes_and_the_error_after_a_wrong_month(client, offering):
    start = client.post(reverse("submissions:start", args=["darmstadt", offering.slug]))
    applicant = client.post(start["Location"], VALID_ANSWERS["applicant"])
    address_url = applicant["Location"]
    assert address_url.endswith("/schritt/address/")

    page = client.get(address_url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'id="field-moved_in-day"' in page and 'name="moved_in.year"' in page
    assert 'type="date"' not in page

    sent = {**VALID_ANSWERS["address"], "moved_in.day": "1", "moved_in.month": "13"}
    sent["moved_in.year"] = "2024"
    del sent["moved_in"]
    page = client.post(address_url, sent, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'href="#field-moved_in-day">Geben Sie einen Monat zwischen 1 und 12 an.' in page
    assert 'value="13"' in page  # what was typed stays, to be corrected

    sent["moved_in.month"] = "3"
    done = client.post(address_url, sent)
    assert done.status_code == 302
    summary = client.get(reverse("submissions:summary", args=[start["Location"].split("/")[2]]))
    assert "01.03.2024" in summary.content.decode()
