"""The questions a triage step asks before it runs (the intermediate page)."""

from django import forms
from django.core.exceptions import ValidationError

from quality.models import ResolutionReason
from quality.services.triage import validate_resolution

# "No longer found" is what a quality check records when a re-run stops finding a
# violation; a steward gives one of the others.
STEWARD_REASONS = [
    (value, label)
    for value, label in ResolutionReason.choices
    if value != ResolutionReason.NO_LONGER_FOUND
]


class ResolutionForm(forms.Form):
    """Why violations are resolved or ignored."""

    reason = forms.ChoiceField(
        label="Reason", choices=[("", "---------"), *STEWARD_REASONS], required=False
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What was done or decided, for whoever looks at these violations next.",
    )

    def clean(self):
        cleaned_data = super().clean()
        try:
            validate_resolution(reason=cleaned_data.get("reason"), note=cleaned_data.get("note"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned_data


class AssignForm(forms.Form):
    """Who takes violations on: someone who may act on them in every space they belong to."""

    assignee = forms.ModelChoiceField(
        label="Assign to", queryset=None,
        help_text="Stewards and admins of the violations' space, and its organization's admins.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = candidates.order_by("first_name", "last_name",
                                                               "username")
        self.fields["assignee"].label_from_instance = user_label


def user_label(user):
    """"Priya Natarajan (priya)": the name people know, and the username that tells apart
    two people of the same name; the username alone when there is no name."""
    full_name = user.get_full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
