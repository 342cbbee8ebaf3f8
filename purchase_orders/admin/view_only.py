"""A model admin that lists and shows rows and changes none of them."""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows are viewed here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
