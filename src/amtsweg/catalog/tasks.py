"""Jobs of the catalogue: the daily switch of offerings past a required update's deadline."""

import logging
from datetime import timedelta
from typing import Any

from django_tasks import task

from amtsweg.catalog.versions import switch_overdue_offerings
from amtsweg.scheduling.services import periodic

logger = logging.getLogger(__name__)


@periodic(every=timedelta(days=1), name="catalog.switch_overdue_offerings")
@task()
def required_updates() -> dict[str, Any]:
    """Switch every offering whose solution has a required version past its deadline; those
    whose local settings do not fit the new version stay and show as overdue to their admins
    (see ``catalog.versions``)."""
    run = switch_overdue_offerings()
    for offering, problems in run.overdue:
        logger.warning("Offering %s not switched: %s", offering.uuid, problems)
    return {
        "switched": [str(offering.uuid) for offering in run.switched],
        "overdue": [str(offering.uuid) for offering, _problems in run.overdue],
    }
