from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import access, security, sessions  # noqa: F401 (connect their receivers)

        access.register_scopes()
