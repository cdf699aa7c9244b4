"""`{% navigation_app_list %}`: the admin's navigation sidebar, rendered once per user, rights
and current section while the site keeps their list of models (`AppList`), rather than on
every page: it was a tenth of a page's time."""

from urllib.parse import quote

from django import template
from django.template.loader import get_template
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_app_list(context):
    """`admin/app_list.html` of `available_apps`, as Django's `nav_sidebar.html` includes it."""
    request = context["request"]
    apps = context["available_apps"]
    path = quote(request.path, safe="/")  # what Django's template compares: request.path|urlencode
    current = tuple(
        link in path
        for app in apps
        for link in (app["app_url"], *(model["admin_url"] for model in app["models"]))
    )
    key = (current, translation.get_language())
    rendered = getattr(apps, "rendered", {})
    if key not in rendered:
        rendered[key] = get_template("admin/app_list.html").render(
            {"app_list": apps, "show_changelinks": False, "request": request}
        )
    return rendered[key]
