"""The site's form renderer: Django's own form and widget templates through Jinja2.

Django ships each of its form templates for both engines. A contract's page renders some
fifty of them (widgets, their attributes, labels, error lists), and through Jinja2 they cost
a fraction of what the Django engine takes. Templates Django has only for its own engine
(the admin's widget wrappers) are rendered by it, as before.
"""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(Jinja2):
    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)

    @cached_property
    def django_templates(self):
        return DjangoTemplates()
