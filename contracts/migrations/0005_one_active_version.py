"""At most one active version of a contract name per space, enforced by the database.

Rows written before this rule may hold several active versions of one name (imports
used to set the status without activation). They are fixed up first: of each name's
active versions in a space, the most recently created stays active and the older
ones are deprecated, with their current metadata records, which mirror the status.
Plain SQL, so that a DBA applying `pending_migrations_sql` gets the same fix-up.
"""

from django.db import migrations, models

# An active contract for which a newer active version of its name exists in its space.
_OLDER_ACTIVE = """
    data_contracts.status = 'active' AND EXISTS (
        SELECT 1 FROM data_contracts newer
        WHERE newer.space_id = data_contracts.space_id
          AND newer.name = data_contracts.name
          AND newer.status = 'active'
          AND (newer.created_at > data_contracts.created_at
               OR (newer.created_at = data_contracts.created_at
                   AND newer.id > data_contracts.id))
    )
"""

DEPRECATE_OLDER_ACTIVE_VERSIONS = [
    "UPDATE metadata_records SET status = 'deprecated' WHERE id IN ("
    f"SELECT metadata_record_id FROM data_contracts WHERE {_OLDER_ACTIVE});",
    f"UPDATE data_contracts SET status = 'deprecated' WHERE {_OLDER_ACTIVE};",
]


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0004_system_providers'),
        ('tenancy', '0005_shared_resources'),
    ]

    operations = [
        migrations.RunSQL(DEPRECATE_OLDER_ACTIVE_VERSIONS, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='datacontract',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('space', 'name'), name='data_contracts_one_active_version', violation_error_message='Another version of this contract is already active in this space: activate this one to deprecate it.'),
        ),
    ]
