from django.apps import AppConfig


class PurchaseOrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "purchase_orders"
    verbose_name = "Purchase orders"

    def ready(self) -> None:
        from django_tasks_db.compat import task_enqueued

        from purchase_orders import checks  # noqa: F401 - registers the system checks
        from purchase_orders.wakeup import notify_task_enqueued

        task_enqueued.connect(notify_task_enqueued, dispatch_uid="purchase_orders.wakeup")
