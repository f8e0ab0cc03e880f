from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "amtsweg.tenants"
    label = "tenants"
