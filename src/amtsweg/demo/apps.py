from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "amtsweg.demo"
    label = "demo"
