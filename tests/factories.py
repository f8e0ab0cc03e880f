"""factory_boy factories and journey helpers shared by the whole test suite.

Every factory builds a row that passes ``full_clean``: municipalities get a consistent AGS/ARS
pair and a unique reference prefix, services a 14-digit LeiKa key starting with 99, solution
versions a form definition that passes ``check_definition`` and are published by default.
"""

import copy
import string
from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from amtsweg.catalog.models import Offering, Service, Solution, SolutionVersion
from amtsweg.forms.services import steps_of, validate_step
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import save_step, start_draft
from amtsweg.tenants.models import Membership, Municipality, MunicipalityKind, Role

TEST_PASSWORD = "correct horse battery staple"

#: A small three-step form (a dog registration) that uses every built-in field type.
FORM_DEFINITION: dict[str, Any] = {
    "schema_version": 1,
    "steps": [
        {
            "key": "applicant",
            "title": {"de": "Antragstellende Person", "en": "Applicant"},
            "fields": [
                {
                    "key": "given_name",
                    "type": "text",
                    "required": True,
                    "label": {"de": "Vorname", "en": "Given name"},
                    "applicant": "given_name",
                },
                {
                    "key": "family_name",
                    "type": "text",
                    "required": True,
                    "label": {"de": "Familienname", "en": "Family name"},
                    "applicant": "family_name",
                },
                {
                    "key": "email",
                    "type": "email",
                    "required": True,
                    "label": {"de": "E-Mail-Adresse", "en": "E-mail address"},
                    "applicant": "email",
                },
            ],
        },
        {
            "key": "address",
            "title": {"de": "Anschrift", "en": "Address"},
            "fields": [
                {
                    "key": "street",
                    "type": "text",
                    "required": True,
                    "label": {"de": "Straße und Hausnummer", "en": "Street and number"},
                },
                {
                    "key": "postcode",
                    "type": "postcode",
                    "required": True,
                    "label": {"de": "Postleitzahl", "en": "Postcode"},
                },
                {
                    "key": "moved_in",
                    "type": "date",
                    "required": True,
                    "not_after_today": True,
                    "label": {"de": "Eingezogen am", "en": "Moved in on"},
                },
            ],
        },
        {
            "key": "dog",
            "title": {"de": "Hund", "en": "Dog"},
            "fields": [
                {
                    "key": "tax_notice",
                    "type": "notice",
                    "text": {"de": "Die Hundesteuer ist jährlich fällig.", "en": "Yearly tax."},
                },
                {
                    "key": "dog_count",
                    "type": "number",
                    "required": True,
                    "min": 1,
                    "max": 5,
                    "label": {"de": "Anzahl der Hunde", "en": "Number of dogs"},
                },
                {
                    "key": "breed",
                    "type": "choice",
                    "required": True,
                    "label": {"de": "Rasse", "en": "Breed"},
                    "options": [
                        {"value": "mixed", "label": {"de": "Mischling", "en": "Mixed breed"}},
                        {"value": "dachshund", "label": {"de": "Dackel", "en": "Dachshund"}},
                    ],
                },
                {
                    "key": "insured",
                    "type": "yesno",
                    "required": True,
                    "label": {"de": "Haftpflicht versichert", "en": "Liability insured"},
                },
                {
                    "key": "remarks",
                    "type": "textarea",
                    "label": {"de": "Bemerkungen", "en": "Remarks"},
                },
            ],
        },
    ],
}

#: What a browser sends for each step of ``FORM_DEFINITION`` (field key -> list of strings).
VALID_ANSWERS: dict[str, dict[str, list[str]]] = {
    "applicant": {
        "given_name": ["Erika"],
        "family_name": ["Mustermann"],
        "email": ["erika.mustermann@example.de"],
    },
    "address": {
        "street": ["Luisenplatz 5"],
        "postcode": ["64283"],
        "moved_in": ["01.03.2024"],
    },
    "dog": {
        "dog_count": ["2"],
        "breed": ["dachshund"],
        "insured": ["yes"],
        "remarks": ["Bello bellt nachts, Schlüssel beim Nachbarn"],
    },
}


def form_definition() -> dict[str, Any]:
    """A fresh copy of ``FORM_DEFINITION`` (tests may change theirs without affecting others)."""
    return copy.deepcopy(FORM_DEFINITION)


def _letters(number: int, width: int = 3) -> str:
    """0 -> 'AAA', 1 -> 'AAB', ...: a unique run of capital letters for reference prefixes."""
    letters = []
    for _ in range(width):
        number, remainder = divmod(number, 26)
        letters.append(string.ascii_uppercase[remainder])
    return "".join(reversed(letters))


class MunicipalityFactory(DjangoModelFactory):
    """A Gemeinde in Rhineland-Palatinate (Land 07), so it never collides with the Hessian
    personas; its ARS repeats the AGS as a real one does."""

    class Meta:
        model = Municipality

    short_name = factory.Sequence(lambda n: f"Testdorf {n}")
    name = factory.LazyAttribute(lambda o: o.short_name)
    kind = MunicipalityKind.MUNICIPALITY
    ags = factory.Sequence(lambda n: f"07{n:06d}")
    # Land + RB + Kreis, a Gemeindeverband ("0" + the Gemeinde number), the Gemeinde number.
    ars = factory.LazyAttribute(lambda o: f"{o.ags[:5]}0{o.ags[5:]}{o.ags[5:]}")
    slug = factory.Sequence(lambda n: f"testdorf-{n}")
    reference_prefix = factory.Sequence(lambda n: f"T{_letters(n)}")
    postcodes = factory.Sequence(lambda n: f"{56000 + n % 1000:05d}")
    population = 1000


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.de")
    first_name = "Max"
    last_name = "Mustermann"
    is_active = True
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.CLERK


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    leika_key = factory.Sequence(lambda n: f"99{n:012d}")
    name = factory.Sequence(lambda n: f"Testleistung {n}")


class SolutionFactory(DjangoModelFactory):
    class Meta:
        model = Solution

    service = factory.SubFactory(ServiceFactory)
    publisher = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Hundesteuer-Anmeldung {n}")
    slug = factory.Sequence(lambda n: f"hundesteuer-{n}")


class SolutionVersionFactory(DjangoModelFactory):
    """Published by default; ``SolutionVersionFactory(publish=False)`` gives a draft."""

    class Meta:
        model = SolutionVersion
        # publish() saves the fields it changes itself; another save() would be refused.
        skip_postgeneration_save = True

    solution = factory.SubFactory(SolutionFactory)
    number = factory.Sequence(lambda n: n + 1)
    form_definition = factory.LazyFunction(form_definition)

    @factory.post_generation
    def publish(obj: SolutionVersion, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            obj.publish()


class OfferingFactory(DjangoModelFactory):
    """An offering processed by its own municipality unless told otherwise."""

    class Meta:
        model = Offering

    municipality = factory.SubFactory(MunicipalityFactory)
    solution_version = factory.SubFactory(SolutionVersionFactory)
    processing_municipality = factory.SelfAttribute("municipality")
    slug = factory.Sequence(lambda n: f"hundesteuer-{n}")
    title = "Hund anmelden"
    responsible_office = "Steueramt"
    contact_email = "steueramt@example.de"


def answers(**changes: str) -> dict[str, dict[str, list[str]]]:
    """``VALID_ANSWERS`` with single fields replaced, e.g. ``answers(postcode="6428")``."""
    result = copy.deepcopy(VALID_ANSWERS)
    for key, value in changes.items():
        for step in result.values():
            if key in step:
                step[key] = [value]
                break
        else:
            raise KeyError(key)
    return result


def fill_draft(
    draft: Submission, raw: dict[str, dict[str, list[str]]] | None = None, *, skip: tuple = ()
) -> Submission:
    """Fill every step of ``draft`` as the online assistant does: validate the step, then save it.

    Steps named in ``skip`` are left out. Raises ``AssertionError`` when a step does not validate,
    so a broken fixture is reported where it breaks.
    """
    raw = VALID_ANSWERS if raw is None else raw
    for step in steps_of(draft.solution_version.form_definition):
        if step["key"] in skip:
            continue
        result = validate_step(step, raw.get(step["key"], {}))
        assert result.is_valid, {field.key: field.error for field in result.errors}
        save_step(draft, step["key"], result.values)
    return draft


def make_complete_draft(offering: Offering, **changes: str) -> Submission:
    """A draft of ``offering``, every step validly filled in (``changes`` as in ``answers``)."""
    return fill_draft(start_draft(offering), answers(**changes))


def expire(*drafts: Submission) -> None:
    """Let ``drafts`` expire a minute ago: their links and pages answer 404, and the daily
    clean-up finds them."""
    Submission.objects.filter(pk__in=[d.pk for d in drafts]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
