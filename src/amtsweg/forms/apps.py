from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "amtsweg.forms"
    label = "forms"
