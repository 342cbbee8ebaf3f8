"""Template filters of the portal: Indian money, unambiguous dates, plain-word errors."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from purchase_orders import contents, lifecycle
from purchase_orders.enkash import conventions
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.enkash.labels import describe_field_path
from purchase_orders.forms.lines import DETAIL_FIELDS, LINE_INDEX_PLACEHOLDER
from purchase_orders.forms.rendering import render_field, render_row_field
from purchase_orders.models import OutboundMessage, PurchaseOrder
from purchase_orders.numbers import to_decimal

register = template.Library()


@register.simple_tag
def form_field(field, label=None, wide=False) -> str:
    """Write a form field as the template includes/field.html does (a faster twin)."""
    return render_field(field, label=label, wide=wide)


LINE_LIST_TEMPLATE = "purchase_orders/includes/line_list.html"
# Where the markup of a line's fields is kept during one render.
ROW_FIELDS = "line row fields"


def _row_fields(context) -> dict:
    return context.render_context.dicts[0].setdefault(ROW_FIELDS, {})


@register.simple_tag(takes_context=True)
def line_field(context, line, name: str, label=None, wide=False) -> str:
    """Write one field of a line as ``form_field`` does; an unbound line's from one copy.

    The markup of a field of an unbound line (as imported lines are shown)
    is written once per page and copied with each line's index and value
    (``forms.rendering.render_row_field``).
    """
    options = {"label": label, "wide": wide}
    return render_row_field(
        line, name, placeholder=LINE_INDEX_PLACEHOLDER, written=_row_fields(context), **options
    )


@register.simple_tag(takes_context=True)
def line_details(context, line) -> str:
    """Write the fields under a line's "More details", as ``form_field`` writes each.

    Those of an unbound line, as most imported lines' are, are written as
    ``line_field`` writes them: from one copy per page.
    """
    written = _row_fields(context)
    return mark_safe(
        "\n      ".join(
            render_row_field(line, name, placeholder=LINE_INDEX_PLACEHOLDER, written=written)
            for name in DETAIL_FIELDS
        )
    )


@register.simple_tag(takes_context=True)
def line_list(context, line, entry: dict) -> str:
    """Write one of a line's lists with the template line_list.html.

    An empty list (no rows, no error) is the same markup for every line but
    for the line's index: it is written once per page, for a placeholder
    index, and copied with each line's index put in.
    """
    template = context.template.engine.get_template(LINE_LIST_TEMPLATE)
    formset = entry["formset"]
    if formset.forms or formset.non_form_errors() or "-" not in (line.prefix or ""):
        return template.render(context.new({"list": entry}))
    written = context.render_context.dicts[0].setdefault(LINE_LIST_TEMPLATE, {})
    name = entry["name"]
    if name not in written:
        written[name] = template.render(context.new({"list": line.blank_list(name)}))
    return mark_safe(written[name].replace(LINE_INDEX_PLACEHOLDER, line.index))


PAISA = Decimal("0.01")
RUPEE_SIGN = "₹"
MINUS_SIGN = "−"

# What each errorCd means, in the words of the person looking at the PO.
ERROR_WORDS = {
    conventions.ERROR_INVALID_FIELD: "A field is not valid.",
    conventions.ERROR_PO_NOT_FOUND: "The network does not know this purchase order.",
    conventions.ERROR_PARTY_NOT_FOUND: "The network does not know the buyer or the supplier.",
    conventions.ERROR_PARTY_MISMATCH: "The buyer or supplier does not match the purchase order.",
    conventions.ERROR_STALE_VERSION: (
        "The other side holds a different version of this purchase order."
    ),
    conventions.ERROR_OUT_OF_ORDER: (
        "An earlier change of this purchase order has not reached the other side yet."
    ),
    conventions.ERROR_TRANSITION_NOT_ALLOWED: (
        "The purchase order's status does not allow this change."
    ),
    conventions.ERROR_UNKNOWN_ACTION: "The network does not know this action.",
    conventions.ERROR_TOTALS_MISMATCH: "The amounts do not add up.",
    conventions.ERROR_DUPLICATE_PO_NUMBER: "This PO number was already used.",
}

_ONES = (
    "",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
)
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def group_indian(digits: str) -> str:
    """Group a string of digits the Indian way: 1,23,45,678."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail])


def format_indian(value: Decimal, places: int) -> str:
    """Return a number with Indian digit grouping and exactly ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS_SIGN if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign + group_indian(whole) + (f".{fraction}" if places else "")


def format_inr(value) -> str:
    """Return an amount in rupees as ₹1,23,456.00 (empty for no amount)."""
    number = to_decimal(value)
    if number is None:
        return ""
    text = format_indian(number, 2)
    if text.startswith(MINUS_SIGN):
        return MINUS_SIGN + RUPEE_SIGN + text[1:]
    return RUPEE_SIGN + text


@register.filter
def inr(value) -> str:
    """Show an amount in rupees with Indian grouping: ₹1,23,456.00."""
    return format_inr(value)


@register.filter
def money(value) -> str:
    """Show an amount with Indian grouping and paise but no sign (1,23,456.00).

    For the columns of a table whose heading names the currency.
    """
    number = to_decimal(value)
    return "" if number is None else format_indian(number, 2)


@register.filter
def indian_number(value) -> str:
    """Show a quantity with Indian grouping and only the decimals it needs (1,250.5)."""
    number = to_decimal(value)
    if number is None:
        return ""
    places = max(0, -number.normalize().as_tuple().exponent)
    return format_indian(number, min(places, 3))


@register.filter
def percent(value) -> str:
    """Show a rate without trailing zeros: 18%, 0.25%."""
    number = to_decimal(value)
    if number is None:
        return ""
    text = f"{number.normalize():f}"
    return f"{text}%"


def _words_below_thousand(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    words = []
    if hundreds:
        words.append(f"{_ONES[hundreds]} Hundred")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest:
        words.append(_ONES[rest])
    return " ".join(words)


def number_in_words(number: int) -> str:
    """Spell a whole number the Indian way (crore, lakh, thousand)."""
    if number == 0:
        return "Zero"
    words = []
    crores, number = divmod(number, 10**7)
    if crores:
        words.append(f"{number_in_words(crores)} Crore")
    lakhs, number = divmod(number, 10**5)
    if lakhs:
        words.append(f"{_words_below_thousand(lakhs)} Lakh")
    thousands, number = divmod(number, 1000)
    if thousands:
        words.append(f"{_words_below_thousand(thousands)} Thousand")
    if number:
        words.append(_words_below_thousand(number))
    return " ".join(words)


@register.filter
def amount_in_words(value) -> str:
    """Spell an amount as Indian documents print it: Rupees … and … Paise Only.

    The Indian system: crore (1,00,00,000), lakh (1,00,000), thousand;
    a sum below one rupee is its paise alone ("Fifty Paise Only").
    """
    number = to_decimal(value)
    if number is None:
        return ""
    number = abs(number.quantize(PAISA, rounding=ROUND_HALF_UP))
    rupees = int(number)
    paise = int((number - rupees) * 100)
    if paise and not rupees:
        return f"{number_in_words(paise)} Paise Only"
    text = f"Rupees {number_in_words(rupees)}"
    if paise:
        text += f" and {number_in_words(paise)} Paise"
    return text + " Only"


@register.filter
def day(value) -> str:
    """Show a date that no reader can misread: <time>23 Nov 2026</time>."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), f"{value.day} {value:%b %Y}"
    )


@register.filter
def moment(value) -> str:
    """Show a point in time with its zone: <time>23 Nov 2026, 14:05 IST</time>."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        f"{local.day} {local:%b %Y, %H:%M %Z}".strip(),
    )


@register.filter
def field_words(path: str) -> str:
    """Name a network field path in plain words (Line 1 › HSN/SAC code)."""
    return describe_field_path(path)


@register.filter
def error_words(code: str) -> str:
    """Say what a network error code means; unknown codes are shown as they are."""
    if not code:
        return ""
    return ERROR_WORDS.get(code, f"The network answered with error {code}.")


@register.filter
def show_value(value, kind: str = "text") -> str:
    """Show one field of a version comparison according to its kind."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_inr(value)
    if kind == "quantity":
        return indian_number(value)
    if kind == "rate":
        return percent(value)
    if kind == "date":
        return day(value)
    return str(value)


@register.filter
def status_class(status: str) -> str:
    """Return the CSS modifier for a status or delivery state badge."""
    return f"badge--{str(status or '').lower()}"


@register.simple_tag(takes_context=True)
def portal_viewer(context):
    """Return the signed-in user's businesses by role, for the navigation."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return request.viewer


@register.filter
def terms(po_infos) -> str:
    """Return the terms and conditions a purchase order carries among its PO details."""
    return contents.terms_of(po_infos)


@register.filter
def without_terms(po_infos) -> list:
    """Return a purchase order's PO details other than its terms and conditions."""
    return contents.without_terms(po_infos)


@register.filter
def lowest(ids):
    """Return the lowest of some ids (the first business of a kind), or None."""
    return min(ids) if ids else None


@register.filter
def web_link(url: str) -> str:
    """Return a link only if it is http or https; anything else is not opened from a page."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.filter
def status_label(status: str) -> str:
    """Name a purchase-order status as people read it (CREATED: Sent, awaiting confirmation)."""
    try:
        return PurchaseOrder.Status(status).label
    except ValueError:
        return str(status or "")


@register.filter
def action_participle(action: str) -> str:
    """Say what an action did, as in "approved" or "submitted for approval"."""
    transition = lifecycle.TRANSITIONS_BY_ACTION.get(action)
    return transition.participle if transition else str(action or "").lower()


@register.filter
def event_words(kind: str) -> str:
    """Say what a webhook delivery was, in plain words."""
    found = KINDS.get(kind)
    return found.words if found else kind


@register.filter
def halve(value):
    """Return half an amount: the CGST or SGST share of an intra-state GST amount."""
    number = to_decimal(value)
    return None if number is None else number / 2


@register.filter
def pending_note(purchase_order: PurchaseOrder, role: str = "") -> str:
    """Say in plain words where the order's pending action is, from the viewer's side.

    ``role`` is the side the viewer acts for; the side that acted hears how
    the network is getting on, the other side that it is on its way. The
    message's state is read from a list's ``pending_state`` annotation, or
    from the message itself.
    """
    action = purchase_order.pending_action
    if not action:
        return ""
    transition = lifecycle.TRANSITIONS_BY_ACTION[action]
    state = getattr(purchase_order, "pending_state", None)
    if state is None and purchase_order.pending_message_id:
        state = purchase_order.pending_message.state
    State = OutboundMessage.State
    counterparty = purchase_order.business_of(lifecycle.other_side(transition.actor))
    if role != transition.actor:
        sender = purchase_order.business_of(transition.actor)
        done = "sent a new version" if action == lifecycle.EDIT else f"{transition.participle} it"
        if state == State.FAILED:
            return f"{sender} has {done}, but the network has not delivered it yet."
        return f"{sender} has {done}; the network is delivering it."
    if action == lifecycle.SEND:
        what = f"Sent to {counterparty}"
    else:
        what = f"{transition.noun} sent"
    if state == State.FAILED:
        return (
            f"{transition.noun} not delivered: the network could not be reached. "
            "The purchase order is as it was; retry it."
        )
    if state == State.RETRYING:
        return f"{what} — the network cannot be reached yet; retrying."
    if state == State.SENT:
        return f"{what} — the network has it and is delivering it to {counterparty}."
    return f"{what} — waiting for the network."
