from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hitonagare.accounts"
    verbose_name = "アカウント"
