"""Two indexes of quality_violations that no query needs, dropped: each violation a check
writes pays for every index of the table.

- the space's own index: quality_viol_list_space_idx starts with the space, and serves
  every query (and the foreign key's checks) that the space alone would;
- quality_viol_identity_idx: the identity is looked up only for the violations checks
  track, which the unique quality_viol_tracked_identity_key indexes already.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("quality", "0008_violation_counts"),
        ("tenancy", "0009_space_requires_review"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="qualityviolation",
            name="quality_viol_identity_idx",
        ),
        migrations.AlterField(
            model_name="qualityviolation",
            name="space",
            field=models.ForeignKey(
                db_index=False,
                help_text="The contract's space; rows written by other tools without a contract "
                "belong to the default space.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quality_violations",
                to="tenancy.space",
                verbose_name="space",
            ),
        ),
    ]
