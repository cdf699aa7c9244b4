"""Widgets of the steward admin: a JSON editor, and autocompletes limited to one organization."""

import json

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.urls import reverse
from django.utils.html import format_html

from tenancy.sanitize import json_display

JSON_EDITOR_MEDIA = forms.Media(
    css={"all": ["pycharter/contracts.css"]}, js=["pycharter/json-editor.js"]
)


class JSONEditorWidget(forms.Textarea):
    """A monospace textarea for a JSON object that `static/pycharter/json-editor.js` checks
    as the steward types (and before the form is sent), and can pretty-print."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "class": "pycharter-json-editor",
                "spellcheck": "false",
                "autocomplete": "off",
                "data-json-editor": "",
                "data-json-object": "",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lines = (context["widget"]["value"] or "").count("\n") + 2
        context["widget"]["attrs"]["rows"] = max(6, min(lines, 36))
        return context

    @property
    def media(self):
        return JSON_EDITOR_MEDIA


class PrettyJSONField(forms.JSONField):
    """JSON shown pretty-printed, whose parse errors say where (line and column)."""

    widget = JSONEditorWidget

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        if value is None:
            return ""
        return json.dumps(value, indent=2, ensure_ascii=False)

    def to_python(self, value):
        if isinstance(value, str) and not self.disabled and value not in self.empty_values:
            try:
                json.loads(value)
            except json.JSONDecodeError as error:
                raise forms.ValidationError(
                    "Not valid JSON at line %(line)s, column %(column)s: %(message)s.",
                    code="invalid",
                    params={"line": error.lineno, "column": error.colno, "message": error.msg},
                ) from None
        return super().to_python(value)


def json_block(value):
    """A JSON value as read-only, pretty-printed HTML."""
    if value is None:
        return "—"
    return format_html('<pre class="pycharter-json">{}</pre>', json_display(value))


class OrganizationAutocomplete(AutocompleteSelectMultiple):
    """The admin's autocomplete, asking the contract's own autocomplete view, which offers
    only the owners, systems or domains of the contract's organization."""

    def __init__(self, field, admin_site, *, contract_id, linked=(), attrs=None):
        super().__init__(field, admin_site, attrs=attrs)
        self.contract_id = contract_id
        #: The contract's current targets of this field, loaded with the page.
        self.linked = tuple(linked)

    def optgroups(self, name, value, attr=None):
        """The selected options, in the order of the links. Django reads them again, one query
        per field; they are the contract's links, already loaded. A value that is not one of
        them (a form shown again with its errors) is read as Django does."""
        linked = {str(target.pk): target for target in self.linked}
        selected = [str(item) for item in value if str(item) not in self.choices.field.empty_values]
        if not set(selected) <= linked.keys():
            return super().optgroups(name, value, attr)
        options = [
            self.create_option(name, linked[key].pk,
                               self.choices.field.label_from_instance(linked[key]),
                               set(selected), index)
            for index, key in enumerate(dict.fromkeys(selected))
        ]
        return [(None, options, 0)]

    def get_url(self):
        return reverse(
            f"{self.admin_site.name}:contracts_datacontract_reference_autocomplete",
            args=[self.contract_id],
        )
