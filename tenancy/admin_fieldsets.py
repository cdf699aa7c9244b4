"""The fieldsets of the admin's change pages: the HTML Django's
`admin/includes/fieldset.html` renders, written out in Python. On a contract's page the
template engine took a fifth of the page's time for a dozen fields, much of it on
lookups and on rendering an empty error list for each field."""

from tenancy.markup import escaped as escape


def fieldset_html(fieldset, *, heading_level=None, prefix="", id_prefix="", id_suffix=""):
    """What `admin/includes/fieldset.html` renders for `fieldset` with these include
    arguments, up to whitespace between tags."""
    level = heading_level or 2
    heading_id = escape(f"{prefix}-{id_prefix}-{id_suffix}-heading")
    parts = [f'<fieldset class="module aligned {escape(fieldset.classes)}"']
    if fieldset.name:
        parts.append(f' aria-labelledby="{heading_id}">')
        collapsible = fieldset.is_collapsible
        parts.append("<details><summary>" if collapsible else "")
        parts.append(f'<h{level} id="{heading_id}" class="fieldset-heading">'
                     f"{escape(fieldset.name)}</h{level}>")
        parts.append("</summary>" if collapsible else "")
    else:
        parts.append(">")
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>')
    for line in fieldset:
        parts.append(_line_html(line))
    if fieldset.name and fieldset.is_collapsible:
        parts.append("</details>")
    parts.append("</fieldset>")
    return "".join(parts)


def _line_html(line):
    fields = list(line)
    single = len(line.fields) == 1
    errors = _line_errors(line) if single else ""
    classes = ["form-row"]
    if errors:
        classes.append("errors")
    if not line.has_visible_field:
        classes.append("hidden")
    classes += [f"field-{escape(name)}" for name in map(_name, fields) if name]
    parts = [f'<div class="{" ".join(classes)}">', errors if single
             else '<div class="flex-container form-multiline">']
    for field in fields:
        parts.append(_field_html(field, single))
    if not single:
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _line_errors(line):
    """`line.errors()`, without rendering an error list for each field that has none."""
    form = line.form
    if not any(form[name].errors for name in line.fields if name not in line.readonly_fields):
        return ""
    return line.errors()


def _field_html(field, single):
    bound = field.field  # a BoundField, or a dict for a read-only field
    readonly = field.is_readonly
    is_hidden = bound["is_hidden"] if readonly else bound.is_hidden
    errors = "" if readonly else field.errors() if bound.errors else ""
    classes = ["flex-container"]
    if not single:
        classes.append("fieldBox")
        if name := _name(field):
            classes.append(f"field-{escape(name)}")
        if errors:
            classes.append("errors")
        if is_hidden:
            classes.append("hidden")
    if field.is_checkbox:
        classes.append("checkbox-row")
    parts = ["<div>", "" if single else errors, f'<div class="{" ".join(classes)}">']
    if field.is_checkbox:
        parts += [escape(bound), escape(field.label_tag())]
    elif readonly:
        parts += [escape(field.label_tag()),
                  f'<div class="readonly">{escape(field.contents())}</div>']
    else:
        parts += [escape(field.label_tag()), escape(bound)]
    parts.append("</div>")
    help_text = bound["help_text"] if readonly else bound.help_text
    if help_text:
        id_for_label = "" if readonly else bound.id_for_label
        parts.append(f'<div class="help{" hidden" if is_hidden else ""}"'
                     + (f' id="{escape(id_for_label)}_helptext"' if id_for_label else "")
                     + f"><div>{help_text}</div></div>")
    parts.append("</div>")
    return "".join(parts)


def _name(field):
    return field.field["name"] if field.is_readonly else field.field.name
