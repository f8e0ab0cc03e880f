from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "amtsweg.documents"
    label = "documents"
