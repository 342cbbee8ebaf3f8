"""Template filters that put codes in words: states, address purposes, charges, details."""

from django import template

from purchase_orders import labels

register = template.Library()


@register.filter
def code_words(code: str) -> str:
    """Show a code in plain words (DELIVERY: Delivery, COST_CENTRE: Cost centre)."""
    return labels.code_words(code)


@register.filter
def is_code(text: str) -> bool:
    """Return whether a value is a code, which a page may show beside its words."""
    return labels.is_code(text)


@register.filter
def state_words(code: str) -> str:
    """Name a GST state code with its state, as the form's choices do: 29 – Karnataka."""
    return labels.state_words(code)


@register.filter
def without_full_stop(text: str) -> str:
    """Return a sentence quoted inside another without its own final full stop."""
    return str(text or "").strip().rstrip(".").rstrip()
