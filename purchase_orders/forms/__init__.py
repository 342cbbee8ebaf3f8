"""Forms of the buyer and supplier pages.

The purchase-order form is one main form plus a formset per list (lines,
addresses, charges, milestones, references…), held together by
``PurchaseOrderEditor``. It checks what a person typed, in words a buyer
understands, and turns it into typed contents (``contents.Contents``); the
services compute the totals and check the order as a whole, and their errors
name the part at fault by path, shown next to its field.

- ``fields``: fields and widgets the forms share, and the page's suggestions
- ``purchase_order``: the header of the purchase-order form
- ``lines``, ``parts``: one row of each list, and the formset of a list
- ``line_details``: the lists inside a line (other taxes, value details, rates, attributes)
- ``editor``: the header and every list checked together, and their initial values
- ``actions``: the supplier's answer, the buyer's status change, the approver's decision
- ``filters``: filters, search and sort of the lists
- ``line_import``: lines from a spreadsheet (CSV, xlsx or pasted cells), checked as typed ones
- ``rendering``: the form renderer, plain inputs written without a template
- ``suppliers``: the supplier directory: its search, asking the network, a new supplier
"""

from purchase_orders.forms.actions import AnswerForm, ApprovalForm, StatusChangeForm
from purchase_orders.forms.editor import (
    CONTENT_PLACES,
    FIELD_ALIASES,
    PARTS,
    START_WITH_A_ROW,
    PurchaseOrderEditor,
    initial_for_new,
    initial_for_purchase_order,
)
from purchase_orders.forms.fields import (
    ADDRESS_PURPOSES,
    BEARING_PARTIES,
    DATE_ERRORS,
    DATE_WIDGET,
    DEFAULT_GST_RATE,
    GST_RATES,
    UNIT_SUGGESTIONS,
    BusinessChoiceField,
    BusinessSelect,
    amount_field,
    percent_field,
    quantity_field,
    validate_web_link,
)
from purchase_orders.forms.filters import PurchaseOrderFilterForm
from purchase_orders.forms.line_details import LINE_LISTS, VALUE_DETAIL_TYPES
from purchase_orders.forms.line_import import LineImport
from purchase_orders.forms.lines import LineForm
from purchase_orders.forms.parts import (
    CONTRACT_REFERENCE_KEYS,
    AdditionalInfoForm,
    AddressForm,
    ContractReferenceForm,
    DocumentForm,
    MilestoneForm,
    OtherChargeForm,
    PartForm,
    PartFormSet,
    PoInfoForm,
)
from purchase_orders.forms.purchase_order import PurchaseOrderForm
from purchase_orders.forms.suppliers import (
    SupplierDetailsForm,
    SupplierFilterForm,
    SupplierSearchForm,
)

__all__ = [
    "ADDRESS_PURPOSES",
    "BEARING_PARTIES",
    "CONTENT_PLACES",
    "CONTRACT_REFERENCE_KEYS",
    "DATE_ERRORS",
    "DATE_WIDGET",
    "DEFAULT_GST_RATE",
    "FIELD_ALIASES",
    "GST_RATES",
    "LINE_LISTS",
    "PARTS",
    "START_WITH_A_ROW",
    "UNIT_SUGGESTIONS",
    "VALUE_DETAIL_TYPES",
    "AdditionalInfoForm",
    "AddressForm",
    "AnswerForm",
    "ApprovalForm",
    "BusinessChoiceField",
    "BusinessSelect",
    "ContractReferenceForm",
    "DocumentForm",
    "LineForm",
    "LineImport",
    "MilestoneForm",
    "OtherChargeForm",
    "PartForm",
    "PartFormSet",
    "PoInfoForm",
    "PurchaseOrderEditor",
    "PurchaseOrderFilterForm",
    "PurchaseOrderForm",
    "StatusChangeForm",
    "SupplierDetailsForm",
    "SupplierFilterForm",
    "SupplierSearchForm",
    "amount_field",
    "initial_for_new",
    "initial_for_purchase_order",
    "percent_field",
    "quantity_field",
    "validate_web_link",
]
