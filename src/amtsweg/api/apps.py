from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "amtsweg.api"
    label = "api"
