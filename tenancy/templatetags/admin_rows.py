"""`{% result_list_fast cl %}`: Django's `{% result_list %}`, rows built by
`tenancy.admin_rows` (the same HTML, each column's decisions taken once a page)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from tenancy.admin_rows import result_list_fast

register = template.Library()


@register.tag(name="result_list_fast")
def result_list_fast_tag(parser, token):
    return InclusionAdminNode(parser, token, func=result_list_fast,
                              template_name="change_list_results.html", takes_context=False)
