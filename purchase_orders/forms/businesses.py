"""The business's own pages: its profile, its people's roles, invitations and joining."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from purchase_orders.forms.fields import amount_field
from purchase_orders.models import Business, MembershipRole
from purchase_orders.services.businesses import PROFILE_FIELDS, UPPER_CASE_FIELDS

# The profile page's sections, in order: title -> fields.
PROFILE_SECTIONS = {
    "Names and registrations": (
        "legal_name",
        "trade_name",
        "gstin",
        "state_code",
        "pan",
        "cin",
        "udyam_number",
    ),
    "Address": (
        "address_type",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "country",
        "pincode",
    ),
    "Contact": ("contact_type", "country_code", "phone_number", "email"),
    "Purchase orders": (
        "default_terms",
        "approval_limit",
        "approvers_may_approve_own",
        "reminder_after_days",
    ),
}

ROLE_ERRORS = {
    "required": "Choose at least one role.",
    "invalid_choice": "Choose roles from the list.",
}


class BusinessProfileForm(forms.ModelForm):
    """What a business admin keeps of the business: names, registrations, address, terms."""

    approval_limit = amount_field(
        "Approval limit (₹)",
        required=False,
        help_text="A purchase order whose total is over this amount needs an approver before "
        "it is sent. Leave it blank when no order needs approval.",
    )
    reminder_after_days = forms.IntegerField(
        label="Remind the supplier after (days without an answer)",
        required=False,
        min_value=0,
        max_value=365,
        help_text="A purchase order the supplier has not confirmed or rejected this many days "
        "after it was sent reminds the supplier by e-mail, and tells you, once a day until "
        "it is answered. Leave it blank or 0 for no reminders.",
        error_messages={
            "invalid": "Enter a whole number of days, such as 3.",
            "min_value": "Enter 0 or more days (0: no reminders).",
            "max_value": "Enter at most 365 days.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Business
        fields = PROFILE_FIELDS
        widgets = {
            "default_terms": forms.Textarea(attrs={"rows": 6}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "legal_name": "As registered for GST.",
            "gstin": "Checked for its state code and check character.",
            "address_type": "Such as OFFICE or FACTORY.",
            "default_terms": "New purchase orders start with these terms; the buyer may change "
            "them on each order. An order keeps the terms it was sent with.",
            "approvers_may_approve_own": "Off: an approver's own order needs another approver.",
        }
        labels = {"email": "E-mail"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in UPPER_CASE_FIELDS:
            self.fields[name].widget.attrs["autocapitalize"] = "characters"

    def _clean_upper(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "").strip().upper()

    def clean_gstin(self) -> str:
        return self._clean_upper("gstin")

    def clean_pan(self) -> str:
        return self._clean_upper("pan")

    def clean_cin(self) -> str:
        return self._clean_upper("cin")

    def clean_udyam_number(self) -> str:
        return self._clean_upper("udyam_number")

    def sections(self) -> list[tuple[str, list]]:
        """Return the form's fields by section, as the page shows them."""
        return [
            (title, [self[name] for name in names]) for title, names in PROFILE_SECTIONS.items()
        ]

    def error_summary(self) -> list[tuple[str, str]]:
        """Return (message naming the field, id of the field) for every error."""
        summary = [(message, "") for message in self.non_field_errors()]
        for name in self.fields:
            for message in self[name].errors:
                summary.append((f"{self[name].label}: {message}", self[name].id_for_label))
        return summary


def role_field(label: str = "Roles") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=MembershipRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=ROLE_ERRORS,
    )


class RolesForm(forms.Form):
    """The roles a person holds in the business."""

    roles = role_field()


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label="E-mail address",
        error_messages={
            "required": "Enter the person's e-mail address.",
            "invalid": "Enter an e-mail address such as name@example.in.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class InviteForm(forms.Form):
    """A colleague invited by e-mail, with the roles they will have."""

    email = email_field()
    roles = role_field("Roles they will have")


class SupplierInviteForm(forms.Form):
    """A person of a supplier invited by e-mail."""

    email = email_field()


class AcceptInvitationForm(UserCreationForm):
    """The username and password a person chooses to join; Django's validators check it."""

    class Meta(UserCreationForm.Meta):
        fields = ("username", "first_name", "last_name")

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The password may not resemble the address either.
        self.instance.email = email
        self.fields["first_name"].label = "First name"
        self.fields["last_name"].label = "Last name"

    def validate_password_for_user(self, user, **kwargs):
        # The validators' reasons go with the password, not with its confirmation.
        super().validate_password_for_user(user, password_field_name="password1")
