"""The form renderer of the portal: Django's, with its input widgets written in Python.

Django renders every widget through a template; the purchase-order form has
some forty inputs a line, and a 1,000-line form spent half of its render in
those templates (``benchmarks/line_import.py``). The plain ``<input>``
widgets are written here exactly as Django's ``input.html`` and
``attrs.html`` write them (``tests/purchase_orders/test_form_rendering.py``
compares the two); every other widget, and any widget with a template of
its own, goes through its template as before.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

# Django's templates of widgets that are one <input> and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "number",
        "email",
        "url",
        "password",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
)


def conditional_escape(value) -> str:
    """Escape as ``django.utils.html.conditional_escape`` does, without its lazy wrapper.

    Safe text is kept, anything else is escaped by ``html.escape``, which
    Django's ``escape`` calls; an input has some six values to escape.
    """
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def render_input(widget: dict) -> str:
    """Write an input widget's context as Django's input.html does."""
    parts = [
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"'
    ]
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    parts.append(">")
    return mark_safe("".join(parts))


class PortalFormRenderer(DjangoTemplates):
    """Render forms with the project's templates, plain inputs without a template."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if template_name in INPUT_TEMPLATES and widget is not None:
            return render_input(widget)
        return super().render(template_name, context, request)


def render_field(field, *, label=None, wide: bool = False) -> str:
    """Write one form field as ``templates/includes/field.html`` does, without it.

    Label, hint, errors and input, in the template's order and with its ids.
    A 1,000-line form has 17,000 of them, and the template's lookups were
    most of its render; the form's line rows use this, and
    ``tests/purchase_orders/test_form_rendering.py`` compares the two.
    """
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    hidden = field.is_hidden
    classes = "field"
    if errors:
        classes += " field--error"
    if checkbox:
        classes += " field--check"
    if wide:
        classes += " field--wide"
    if hidden:
        classes += " field--hidden"
    parts = [f'<div class="{classes}">']
    if hidden:
        parts.append(str(field))
        return mark_safe("".join([*parts, "</div>"]))
    error_list = ""
    if errors:
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
        error_list = (
            f'<ul class="errorlist" id="{conditional_escape(field.auto_id)}_error">{items}</ul>'
        )
    label_tag = (
        f'<label for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(label or field.label)}</label>"
    )
    if checkbox:
        parts += [str(field), label_tag, error_list]
    else:
        parts.append(label_tag)
        if field.help_text:
            parts.append(
                f'<div class="hint" id="{conditional_escape(field.auto_id)}_helptext">'
                f"{conditional_escape(field.help_text)}</div>"
            )
        parts += [error_list, str(field)]
    parts.append("</div>")
    return mark_safe("".join(parts))


# Stands for a field's value in the markup written once for every row of a list.
VALUE_PLACEHOLDER = "__value__"


def _is_plain_input(widget) -> bool:
    return widget.template_name in INPUT_TEMPLATES and not widget.is_hidden


def render_row_field(form, name: str, *, placeholder: str, written: dict, **options) -> str:
    """Write one field of an unbound row as ``render_field`` does, without a bound field.

    A 1,000-line form shown again after an import has 17,000 fields, and
    their bound fields (each building its widget's attributes and context)
    were most of its render. The field of an unbound row whose prefix ends
    in its index (``lines-7``) is the same markup in every row but for that
    index and its value: ``render_field`` writes it once per page and list
    into ``written``, for the index ``placeholder`` and a placeholder value
    (and, for a checkbox, ticked and not), and each row's copy puts its own
    in, its value formatted and escaped as the widget does (its field's
    ``prepare_value``, its widget's ``format_value``). Any other field (a
    bound row's, one whose widget is not a plain input) is written by
    ``render_field``; ``tests/purchase_orders/test_form_rendering.py``
    compares the two.
    """
    field = form.fields[name]
    head, _, index = (form.prefix or "").rpartition("-")
    if form.is_bound or not head or field.show_hidden_initial or not _is_plain_input(field.widget):
        return render_field(form[name], **options)
    value = field.prepare_value(form.get_initial_for_field(field, name))
    checkbox = field.widget.input_type == "checkbox"
    if checkbox:
        if value not in (True, False, None, ""):
            return render_field(form[name], **options)
        variant = bool(field.widget.check_test(value))
    else:
        value = field.widget.format_value(value)
        variant = value is not None
    key = (type(form), head, name, variant, tuple(sorted(options.items())))
    if key not in written:
        written[key] = _row_field_markup(form, name, head, placeholder, variant, options)
    markup = written[key]
    if markup is None:
        return render_field(form[name], **options)
    before, after = markup
    if checkbox or not variant:
        return mark_safe(before.replace(placeholder, index))
    return mark_safe(
        before.replace(placeholder, index)
        + conditional_escape(str(value))
        + after.replace(placeholder, index)
    )


def _row_field_markup(form, name, head, placeholder, variant, options):
    """Return a field's markup for the index ``placeholder``, split where its value goes.

    None if the markup cannot be split so (the placeholder value is not
    written exactly once as the input's value).
    """
    field = form.fields[name]
    checkbox = field.widget.input_type == "checkbox"
    if checkbox:
        initial = variant
    else:
        initial = VALUE_PLACEHOLDER if variant else None
    model = type(form)(
        prefix=f"{head}-{placeholder}",
        initial={name: initial},
        auto_id=form.auto_id,
        use_required_attribute=form.use_required_attribute,
        empty_permitted=form.empty_permitted,
        renderer=form.renderer,
    )
    written = str(render_field(model[name], **options))
    if checkbox or not variant:
        return written, ""
    value_attribute = f' value="{VALUE_PLACEHOLDER}"'
    if written.count(VALUE_PLACEHOLDER) != 1 or value_attribute not in written:
        return None
    before, after = written.split(VALUE_PLACEHOLDER)
    return before, after
