from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "hitonagare.members"
    verbose_name = "隊員・任期"
    default_auto_field = "django.db.models.BigAutoField"
