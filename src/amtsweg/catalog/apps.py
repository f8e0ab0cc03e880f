from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "amtsweg.catalog"
    label = "catalog"
