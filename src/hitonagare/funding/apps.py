from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "hitonagare.funding"
    verbose_name = "特別交付税の見込み"
    default_auto_field = "django.db.models.BigAutoField"
