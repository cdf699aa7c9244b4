"""Contract, owner, system and domain names follow a documented character set.

Rows that break it (written before the rule, or by other tools with plain SQL) are
reported as warnings, never changed: renaming them is a steward's decision, and
`manage.py check_integrity` lists them until then.
"""

from django.db import migrations, models

import contracts.validators
from contracts.validators import name_report_lines


def report_names_breaking_the_rules(apps, schema_editor):
    """Warn about existing rows whose names break the new rules; they are kept as they are."""
    for line in name_report_lines(apps):
        print(f"Warning: {line}")


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0007_contract_review'),
    ]

    operations = [
        migrations.AlterField(
            model_name='datacontract',
            name='name',
            field=models.CharField(help_text='The dataset\'s contract name, e.g. "template_contract": ASCII letters, digits, "_", "-" and ".", starting with a letter or digit.', max_length=255, validators=[contracts.validators.validate_name], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='domain',
            name='name',
            field=models.CharField(help_text='For example "IOC" or "customer-data": ASCII letters, digits, "_", "-" and ".", starting with a letter or digit.', max_length=255, validators=[contracts.validators.validate_name], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='owner',
            name='id',
            field=models.CharField(help_text='A stable identifier such as "lincoln_mak", "operations-team" or "lincoln.mak@example.com": ASCII letters, digits, "_", "-", ".", "@" and "+", starting with a letter or digit.', max_length=255, primary_key=True, serialize=False, validators=[contracts.validators.validate_owner_id], verbose_name='owner id'),
        ),
        migrations.AlterField(
            model_name='owner',
            name='name',
            field=models.CharField(blank=True, help_text='How people see the owner, e.g. "Lincoln Mak": free text on one line, without control characters or characters that reorder text.', max_length=255, null=True, validators=[contracts.validators.validate_display_name], verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='system',
            name='name',
            field=models.CharField(help_text='For example "1811" or "RES-CORE": ASCII letters, digits, "_", "-" and ".", starting with a letter or digit.', max_length=255, validators=[contracts.validators.validate_name], verbose_name='name'),
        ),
        migrations.RunPython(report_names_breaking_the_rules, migrations.RunPython.noop),
    ]
