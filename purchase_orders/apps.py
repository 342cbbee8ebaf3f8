from django.apps import AppConfig


class PurchaseOrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "purchase_orders"
    verbose_name = "Purchase orders"

    def ready(self) -> None:
        from purchase_orders import checks  # noqa: F401 - registers the system checks
