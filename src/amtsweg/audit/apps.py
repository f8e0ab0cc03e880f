from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "amtsweg.audit"
    label = "audit"
