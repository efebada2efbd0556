from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hitonagare.core"
    verbose_name = "共通"
