"""The test identity provider's own memory of its log-ins, for single logout.

A real identity provider knows which service providers a person has logged in to, so that
"log out everywhere" can send each of them a LogoutRequest. The test identity provider keeps
the same in a table (its people are invented, so nothing here is personal data).
"""

from django.db import models


class IdpSession(models.Model):
    """One log-in the test identity provider issued: for whom, to which service provider,
    under which NameID and SessionIndex; ``logout_request_id`` while a LogoutRequest for it
    is on its way, ``ended_at`` once the service provider confirmed it (or asked for it)."""

    person_key = models.CharField(max_length=50, db_index=True)
    sp_entity_id = models.CharField(max_length=255)
    name_id = models.CharField(max_length=255, unique=True)
    session_index = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    logout_request_id = models.CharField(max_length=100, blank=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_key} at {self.sp_entity_id}"
