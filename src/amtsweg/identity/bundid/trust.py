"""Trust levels (Vertrauensniveau): their order and how BundID names them.

BundID asks for and reports a level as a STORK QAA level in ``AuthnContextClassRef``
(Schnittstellenbeschreibung BundID 10.2.0.0, chapters 5 and 6.2.3): Level-1 is a user name and
password (no checked attributes), Level-3 an ELSTER certificate ("substantial"), Level-4 the
online ID card function ("high"). Level-2 ("Niedrig" in TR-03160-1) counts as low here.
"""

from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import TrustLevel

ORDER = [TrustLevel.NONE, TrustLevel.LOW, TrustLevel.SUBSTANTIAL, TrustLevel.HIGH]

#: What Amtsweg asks BundID for, per level (RequestedAuthnContext, Comparison="minimum").
STORK_FOR_LEVEL = {
    TrustLevel.LOW: "STORK-QAA-Level-1",
    TrustLevel.SUBSTANTIAL: "STORK-QAA-Level-3",
    TrustLevel.HIGH: "STORK-QAA-Level-4",
}

#: What a response's AuthnContextClassRef (or EID-CITIZEN-QAA-LEVEL) means.
LEVEL_FOR_STORK = {
    "STORK-QAA-Level-1": TrustLevel.LOW,
    "STORK-QAA-Level-2": TrustLevel.LOW,
    "STORK-QAA-Level-3": TrustLevel.SUBSTANTIAL,
    "STORK-QAA-Level-4": TrustLevel.HIGH,
}

#: What an attribute's ``akdb:TrustLevel`` means. BundID rates every attribute it sends with
#: one of these four values, ordered like STORK Level-1 to Level-4 (so read by the Federal
#: Employment Agency's public BundID connector, keycloak-extension-bundid, ``AuthnLevel``).
#: UNTERGEORDNET marks a value the citizen typed in themselves; like Level-1 it counts as low.
LEVEL_FOR_AKDB = {
    "UNTERGEORDNET": TrustLevel.LOW,
    "NORMAL": TrustLevel.LOW,
    "SUBSTANTIELL": TrustLevel.SUBSTANTIAL,
    "HOCH": TrustLevel.HIGH,
}

#: Examples of means of identification per level, for the explanation pages.
MEANS = {
    TrustLevel.LOW: _("BundID user name and password"),
    TrustLevel.SUBSTANTIAL: _("ELSTER certificate"),
    TrustLevel.HIGH: _("Online-Ausweis (eID)"),
}


def rank(level: str) -> int:
    """Position of ``level`` in the order; an unknown level counts as none."""
    try:
        return ORDER.index(TrustLevel(level))
    except ValueError:
        return 0


def satisfies(reached: str, required: str) -> bool:
    """Whether a log-in at ``reached`` is enough for something that needs ``required``."""
    return rank(reached) >= rank(required)


def level_from_stork(class_ref: str) -> str:
    """The trust level a STORK class reference stands for; none for anything unknown."""
    return LEVEL_FOR_STORK.get(class_ref.strip(), TrustLevel.NONE)


def level_from_akdb(value: str) -> str:
    """The trust level an ``akdb:TrustLevel`` value stands for; none for anything unknown."""
    return LEVEL_FOR_AKDB.get(value.strip().upper(), TrustLevel.NONE)


def lowest(levels: list[str]) -> str:
    """The weakest of ``levels`` (a value combined from several attributes is only as
    trustworthy as its weakest part); none for no levels."""
    return min(levels, key=rank) if levels else TrustLevel.NONE


def stork_for(level: str) -> str:
    """The class reference to request for ``level`` (none and low both ask for Level-1)."""
    return STORK_FOR_LEVEL.get(TrustLevel(level), STORK_FOR_LEVEL[TrustLevel.LOW])


def label(level: str) -> str:
    """The level's translated name."""
    try:
        return str(TrustLevel(level).label)
    except ValueError:
        return level
