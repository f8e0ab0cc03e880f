from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amtsweg.core"
    label = "core"
