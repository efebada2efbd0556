from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "hitonagare.recruiting"
    verbose_name = "募集・応募"
    default_auto_field = "django.db.models.BigAutoField"
