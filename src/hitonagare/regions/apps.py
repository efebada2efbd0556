from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "hitonagare.regions"
    verbose_name = "地域（市区町村・地域要件区分）"
