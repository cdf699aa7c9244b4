"""Forms of the steward admin. Everything a steward must see as an error is found here, in
`clean()`; the services check the same again and never meet it in practice."""

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.utils.text import capfirst

from contracts.admin.widgets import OrganizationAutocomplete, PrettyJSONField
from contracts.documents.bundle import OWNERSHIP_ROLES, SYSTEM_ROLES
from contracts.models import DataContract, MetadataRecord, Status
from contracts.services.contract_edit import (
    REQUIRED_OWNER_ROLES,
    contract_content_errors,
    reference_entity_errors,
)
from contracts.services.lifecycle import VersionBump
from contracts.validators import validate_json_object

#: The service argument each content field of the contract form feeds.
CONTENT_FIELDS = {
    "schema_data": "schema_data",
    "coercion_rules_data": "coercion_rules",
    "validation_rules_data": "validation_rules",
}
METADATA_FIELDS = {
    "metadata_type": "metadata_type",
    "metadata_description": "metadata_description",
    "governance_rules": "governance_rules",
}
LINK_FIELDS = (*OWNERSHIP_ROLES, *SYSTEM_ROLES, "domains")


def _link_field(name):
    """A multiple choice of owners, systems or domains named like the metadata record's field.

    The choices are set per contract (its organization) when the form is built.
    """
    model_field = MetadataRecord._meta.get_field(name)
    return forms.ModelMultipleChoiceField(
        queryset=model_field.related_model.objects.none(),
        required=False,
        label=capfirst(model_field.verbose_name),
    )


class DataContractForm(forms.ModelForm):
    """A contract with its current parts and links, as one form.

    The admin decides which fields a page shows (see `DataContractAdmin.get_fieldsets`);
    the form fills and checks those that are there. The link fields need the contract's
    links on `instance.current_links` (the admin's `get_object` puts them there).
    """

    schema_data = PrettyJSONField(
        label="JSON Schema",
        help_text="The complete JSON Schema (Draft 2020-12) of one record.",
    )
    coercion_rules_data = PrettyJSONField(
        label="Coercion rules",
        required=False,
        help_text='Field name to coercion name, e.g. {"age": "coerce_to_integer"}.',
    )
    validation_rules_data = PrettyJSONField(
        label="Validation rules",
        required=False,
        help_text='Field name to {rule: parameters}, e.g. '
        '{"age": {"greater_than_or_equal_to": {"threshold": 0}}}.',
    )
    metadata_type = forms.CharField(
        label="Type", required=False, max_length=50, help_text='For example "object".'
    )
    metadata_description = forms.CharField(
        label="Business description", required=False, widget=admin_widgets.AdminTextareaWidget
    )
    governance_rules = PrettyJSONField(
        label="Governance rules",
        required=False,
        validators=[validate_json_object],
        help_text="Retention, PII fields, sensitivity, access control, quality thresholds.",
    )
    business_owners = _link_field("business_owners")
    bu_sme = _link_field("bu_sme")
    it_application_owners = _link_field("it_application_owners")
    it_sme = _link_field("it_sme")
    support_lead = _link_field("support_lead")
    pulls_from = _link_field("pulls_from")
    pushes_to = _link_field("pushes_to")
    system_sources = _link_field("system_sources")
    domains = _link_field("domains")

    #: The admin site whose autocomplete views the link fields ask (set by the admin).
    admin_site = None

    class Meta:
        model = DataContract
        # `space` too, added by the admin in the request's scope: a scoped manager cannot
        # list choices when this module is imported.
        fields = ["name", "version", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contract = self.instance
        if contract._state.adding:
            return
        self._set_initial_content(contract)
        # One queryset per kind of target (the five owner fields share the owners').
        choices = {}
        for name in LINK_FIELDS:
            if name in self.fields:
                target_model = MetadataRecord._meta.get_field(name).related_model
                if target_model not in choices:
                    choices[target_model] = target_model.objects.filter(
                        organization_id=contract.space.organization_id)
                self._set_up_link_field(name, contract, choices[target_model])

    def _set_initial_content(self, contract):
        record = contract.metadata_record
        initial = {
            "schema_data": contract.schema.schema_data if contract.schema else None,
            "coercion_rules_data": contract.coercion_rules.rules if contract.coercion_rules
            else None,
            "validation_rules_data": contract.validation_rules.rules if contract.validation_rules
            else None,
            "metadata_type": record.type if record else None,
            "metadata_description": record.description if record else None,
            "governance_rules": record.governance_rules if record else None,
        }
        for name, value in initial.items():
            if name in self.fields:
                self.initial[name] = value

    def _set_up_link_field(self, name, contract, choices):
        field = self.fields[name]
        model_field = MetadataRecord._meta.get_field(name)
        organization_id = contract.space.organization_id
        field.queryset = choices
        links = contract.current_links
        if name in OWNERSHIP_ROLES:
            linked = links.owners[name]
        elif name in SYSTEM_ROLES:
            linked = links.systems[name]
        else:
            linked = links.domains
        self.initial[name] = [target.pk for target in linked]
        field.widget = OrganizationAutocomplete(
            model_field, self.admin_site, contract_id=contract.pk,
            # Only what the field offers as choices: the contract's organization's.
            linked=[target for target in linked if target.organization_id == organization_id],
            attrs={"data-width": "32em"},
        )
        field.widget.choices = field.choices
        field.widget.is_required = field.required

    def clean(self):
        cleaned_data = super().clean()
        if "schema_data" in self.fields and not any(
            name in self.errors for name in CONTENT_FIELDS
        ):
            errors = contract_content_errors(
                **{argument: cleaned_data.get(name) for name, argument in CONTENT_FIELDS.items()}
            )
            for name, argument in CONTENT_FIELDS.items():
                if argument in errors:
                    self.add_error(name, errors[argument])
        for name in LINK_FIELDS:
            if cleaned_data.get(name) is not None:
                cleaned_data[name] = self._in_submitted_order(name, cleaned_data[name])
        if self.instance.status == Status.ACTIVE:
            for role, title in REQUIRED_OWNER_ROLES.items():
                if role in self.fields and role in cleaned_data and not cleaned_data[role]:
                    self.add_error(role, f"An active contract needs at least one {title}.")
        return cleaned_data

    def _in_submitted_order(self, name, chosen):
        """A multiple choice comes back in the model's order; links keep the steward's."""
        submitted = [str(value) for value in self.data.getlist(self.add_prefix(name))]
        position = {value: index for index, value in enumerate(submitted)}
        return sorted(chosen, key=lambda target: position.get(str(target.pk), len(position)))

    def service_arguments(self, field_arguments):
        """The cleaned values of the fields this form has, by service argument name."""
        return {
            argument: self.cleaned_data[name]
            for name, argument in field_arguments.items()
            if name in self.fields
        }


class ReferenceEntityForm(forms.ModelForm):
    """Owners, systems and domains: also unique across organizations where PyCharter says so."""

    def _post_clean(self):
        super()._post_clean()
        for name, messages in reference_entity_errors(entity=self.instance).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, messages)


class NewVersionForm(forms.Form):
    bump = forms.ChoiceField(
        label="Which part of the version goes up?",
        choices=VersionBump.choices,
        initial=VersionBump.MINOR,
        widget=forms.RadioSelect,
    )


class ActivationForm(forms.Form):
    accept_breaking_changes = forms.BooleanField(
        label="I have checked these breaking changes with the consumers and accept them.",
        required=False,
    )
    note = forms.CharField(
        label="Note for the record",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who was told, and how consumers are migrating.",
    )

    def __init__(self, *args, needs_sign_off, needs_reason_for_version=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason_for_version:
            note = self.fields["note"]
            note.required = True
            note.label = "Why the version is not a major one"
            note.help_text = ("These changes break consumers, who expect that of a major "
                              "version only: say why this one keeps its number.")
            note.error_messages["required"] = "Say why a breaking version is not a major one."
        if needs_sign_off:
            self.fields["accept_breaking_changes"].required = True
            self.fields["accept_breaking_changes"].error_messages["required"] = (
                "Activating a breaking version needs your sign-off."
            )
        else:
            del self.fields["accept_breaking_changes"]
            del self.fields["note"]
