"""Filters, search and sort of the lists of purchase orders."""

from django import forms

from purchase_orders import lifecycle, selectors
from purchase_orders.forms.fields import DATE_ERRORS, DATE_WIDGET
from purchase_orders.models import PurchaseOrder


class PurchaseOrderFilterForm(forms.Form):
    """Filters, search and sort of a list of purchase orders."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="PO number, subject, buyer or supplier name, GSTIN, "
        "line description or HSN/SAC code.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label="Status", required=False)
    counterparty = forms.ModelChoiceField(
        label="Supplier", queryset=None, required=False, empty_label="All"
    )
    ordered_from = forms.DateField(
        label="Ordered from", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    ordered_to = forms.DateField(
        label="Ordered until", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    sort = forms.ChoiceField(label="Sort by", required=False)

    SORT_LABELS = {
        "newest": "Newest first",
        "oldest": "Oldest first",
        "number": "PO number (A–Z)",
        "-number": "PO number (Z–A)",
        "total": "Total (low to high)",
        "-total": "Total (high to low)",
        "status": "Status (draft to closed)",
        "delivery": "Delivery date",
        "supplier": "Supplier (A–Z)",
        "buyer": "Buyer (A–Z)",
    }

    def __init__(self, *args, role: str, counterparties, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = PurchaseOrder.Status.choices
        if role == lifecycle.SUPPLIER:
            statuses = [
                (value, label) for value, label in statuses if value not in lifecycle.LOCAL_STATUSES
            ]
            self.fields["counterparty"].label = "Buyer"
        self.fields["status"].choices = [("", "All")] + list(statuses)
        self.fields["counterparty"].queryset = counterparties
        default = [("", "Awaiting confirmation first")] if role == lifecycle.SUPPLIER else []
        # Sorting by one's own business says nothing.
        own_side = "buyer" if role == lifecycle.BUYER else "supplier"
        self.fields["sort"].choices = default + [
            (key, label)
            for key, label in self.SORT_LABELS.items()
            if key in selectors.PURCHASE_ORDER_ORDERINGS and key != own_side
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("ordered_from"), cleaned.get("ordered_to")
        if start and end and end < start:
            self.add_error("ordered_to", "The end of the range is before its start.")
        return cleaned

    def filters(self) -> dict:
        """Return the valid filters as keyword arguments of ``list_purchase_orders``."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "counterparty": data.get("counterparty"),
            "ordered_from": data.get("ordered_from"),
            "ordered_to": data.get("ordered_to"),
            "ordering": data.get("sort") or "",
        }
