"""The demo shows the Darmstadt cluster at different versions: a version 2 only some adopted,
a required update with a deadline, a fork; and loading it twice changes nothing."""

import pytest

from amtsweg.catalog.models import Offering, Solution
from amtsweg.catalog.versions import update_state
from amtsweg.demo.services import load_demo

pytestmark = pytest.mark.django_db


def versions_in_use(slug: str) -> dict[str, int]:
    return dict(
        Offering.objects.filter(slug=slug).values_list(
            "municipality__short_name", "solution_version__number"
        )
    )


def test_demo_cluster_shows_versions_updates_and_a_fork():
    load_demo()
    dog = versions_in_use("hundesteuer")
    assert {name for name, number in dog.items() if number == 2} == {"Darmstadt", "Modautal"}
    assert len(dog) == 6
    special = versions_in_use("sondernutzung")
    assert {name for name, number in special.items() if number == 2} == {"Roßdorf"}
    behind = Offering.objects.get(slug="sondernutzung", municipality__short_name="Modautal")
    state = update_state(behind)
    assert state.required is not None and state.deadline is not None and not state.overdue
    fork = Solution.objects.get(forked_from__isnull=False)
    assert fork.publisher.short_name == "Ober-Ramstadt"
    assert fork.forked_from.solution.slug == "bewohnerparkausweis"
    modautal_dog = Offering.objects.get(slug="hundesteuer", municipality__short_name="Modautal")
    assert modautal_dog.opening_hours and modautal_dog.step_hints
    assert modautal_dog.option_values == {"zahlweise": "jaehrlich"}
    # Cases made before the switch keep version 1.
    assert modautal_dog.submissions.filter(solution_version__number=1).exists()

    load_demo()
    assert versions_in_use("hundesteuer") == dog
    assert Solution.objects.filter(forked_from__isnull=False).count() == 1
