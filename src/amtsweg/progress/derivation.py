"""What the live offerings say about a municipality's OZG progress, and the progress shown:
recorded values combined with the derived ones."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from amtsweg.catalog.models import Offering, TrustLevel, VersionStatus
from amtsweg.progress.models import ImplementationState, OzgLeikaKey, ServiceProgress


def offering_maturity(trust_level: str) -> int:
    """The OZG Reifegrad a live offering of a solution version proves.

    Every live Amtsweg offering takes the whole application online and its case is processed
    in the back office, with the decision delivered to the applicant's mailbox or status page.
    What the platform can tell apart is identification:

    * **3** (fully online): the version requires a BundID log-in (trust level low or higher),
      so identification, application, processing and decision are all digital;
    * **2** (form online): anonymous applications (trust level none); whoever needs to be
      identified must be so outside the online service.

    Level **4** (once-only: evidence fetched from registers) is never derived, since no
    solution fetches evidence yet; a coordinator may record it above the derived level.
    """
    return 2 if trust_level == TrustLevel.NONE else 3


@dataclass
class Derived:
    """What live offerings say about one OZG-Leistung in one municipality."""

    maturity: int
    offerings: list[str] = field(default_factory=list)


def derived_progress(municipality_ids: Iterable[int]) -> dict[tuple[int, int], Derived]:
    """(municipality id, OZG service id) → what the live offerings derive; two queries for
    any number of municipalities."""
    offerings = list(
        Offering.objects.live()
        .filter(
            municipality_id__in=list(municipality_ids),
            solution_version__status=VersionStatus.PUBLISHED,
        )
        .order_by("title")
        .values_list(
            "municipality_id",
            "title",
            "solution_version__trust_level",
            "solution_version__solution__service__leika_key",
        )
    )
    services_by_key = dict(
        OzgLeikaKey.objects.filter(
            leika_key__in={leika_key for *_rest, leika_key in offerings}
        ).values_list("leika_key", "ozg_service_id")
    )
    derived: dict[tuple[int, int], Derived] = {}
    for municipality_id, title, trust_level, leika_key in offerings:
        if (service_id := services_by_key.get(leika_key)) is None:
            continue  # a service outside the OZG catalogue
        entry = derived.setdefault((municipality_id, service_id), Derived(0))
        entry.maturity = max(entry.maturity, offering_maturity(trust_level))
        entry.offerings.append(title)
    return derived


@dataclass(frozen=True)
class Progress:
    """The progress shown for one OZG-Leistung in one municipality."""

    state: str
    maturity: int
    planned_for: date | None = None
    note: str = ""
    #: Titles of the live offerings that make the service online (empty: recorded only).
    offerings: tuple[str, ...] = ()

    @property
    def is_derived(self) -> bool:
        return bool(self.offerings)

    @property
    def state_label(self) -> str:
        return str(ImplementationState(self.state).label)


NOTHING = Progress(ImplementationState.NOT_PLANNED, 0)


def combine(recorded: ServiceProgress | None, derived: Derived | None) -> Progress:
    """A live offering makes the service online with at least its derived maturity; a
    recorded maturity above that (say 4, once-only) is kept, and so are plan and note."""
    if derived is None:
        if recorded is None:
            return NOTHING
        return Progress(recorded.state, recorded.maturity, recorded.planned_for, recorded.note)
    return Progress(
        ImplementationState.ONLINE,
        max(derived.maturity, recorded.maturity if recorded else 0),
        recorded.planned_for if recorded else None,
        recorded.note if recorded else "",
        tuple(derived.offerings),
    )


def progress_of(municipality_ids: Iterable[int]) -> dict[tuple[int, int], Progress]:
    """(municipality id, OZG service id) → progress, for every pair with a record or a live
    offering (every other pair is ``NOTHING``); three queries."""
    ids = list(municipality_ids)
    derived = derived_progress(ids)
    recorded = {
        (entry.municipality_id, entry.ozg_service_id): entry
        for entry in ServiceProgress.objects.filter(municipality_id__in=ids)
    }
    return {
        pair: combine(recorded.get(pair), derived.get(pair))
        for pair in recorded.keys() | derived.keys()
    }
