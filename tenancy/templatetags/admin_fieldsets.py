"""`{% fieldset_html %}`: Django's `admin/includes/fieldset.html`, written out by
`tenancy.admin_fieldsets`, with the arguments its includes pass in the context."""

from django import template
from django.utils.safestring import mark_safe

from tenancy.admin_fieldsets import fieldset_html

register = template.Library()


@register.simple_tag(takes_context=True, name="fieldset_html")
def fieldset_html_tag(context):
    return mark_safe(fieldset_html(
        context["fieldset"], heading_level=context.get("heading_level"),
        prefix=context.get("prefix", ""), id_prefix=context.get("id_prefix", ""),
        id_suffix=context.get("id_suffix", ""),
    ))
