from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "amtsweg.progress"
    label = "progress"
