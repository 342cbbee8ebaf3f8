"""The supplier's answer, the buyer's status change and the approver's decision."""

from django import forms
from django.core.exceptions import ValidationError

from purchase_orders import lifecycle


class AnswerForm(forms.Form):
    """The supplier's answer: Confirm, or Reject with remarks."""

    remarks = forms.CharField(
        label="Remarks",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The buyer sees them. Required to reject.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The status the page showed: a status change meanwhile keeps the version.
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rejecting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rejecting = rejecting

    def clean_remarks(self) -> str:
        remarks = self.cleaned_data["remarks"].strip()
        if self.rejecting and not remarks:
            raise ValidationError(
                "Say why you reject this purchase order; the buyer sees your remarks.",
                code="required",
            )
        return remarks


class StatusChangeForm(forms.Form):
    """The buyer's status change, offering only the moves the lifecycle allows now."""

    action = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with the purchase order.",
            "invalid_choice": "That change is not possible from the current status.",
        },
    )
    remarks = forms.CharField(
        label="Remarks",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The supplier sees them. Required to cancel.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The status the page showed: a status change meanwhile keeps the version.
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(t.action, t.label) for t in transitions]

    def clean(self):
        cleaned = super().clean()
        remarks = (cleaned.get("remarks") or "").strip()
        cleaned["remarks"] = remarks
        if cleaned.get("action") == lifecycle.CANCEL and not remarks:
            self.add_error(
                "remarks", "Say why the purchase order is cancelled; the supplier sees it."
            )
        return cleaned


class ApprovalForm(forms.Form):
    """The approver's decision: Approve (remarks optional), or Return with remarks."""

    prefix = "approval"

    remarks = forms.CharField(
        label="Remarks",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The buyer sees them. Required to return it.",
    )
    # The request for approval the page showed: deciding on one gone since is refused.
    expected_request = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, returning: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.returning = returning

    def clean_remarks(self) -> str:
        remarks = self.cleaned_data["remarks"].strip()
        if self.returning and not remarks:
            raise ValidationError(
                "Say why you return it; the buyer sees your remarks.", code="required"
            )
        return remarks
