from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "hitonagare.eligibility"
    verbose_name = "地域要件判定"
