"""Lists of plain rows, represented faster than field by field through DRF's generic path."""

from operator import itemgetter

from rest_framework import serializers

# Fields whose representation of a value that is not None is `str(value)` exactly.
_TEXT_FIELDS = (serializers.CharField, serializers.EmailField, serializers.SlugField)


class RowsListSerializer(serializers.ListSerializer):
    """A page of rows from `QuerySet.values()`, each as its child serializer represents it.

    DRF finds each value of each row through generic attribute lookups and checks, which took
    most of a list's time; here each field's key and representation are found once per page.
    Rows that are not dicts (model instances) take DRF's own path. Set it on a serializer
    whose fields read one key each: `Meta.list_serializer_class = RowsListSerializer`.
    """

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        if not rows or not isinstance(rows[0], dict):
            return super().to_representation(rows)
        plan = [
            (field.field_name, itemgetter(field.source_attrs[0]), _representation(field))
            for field in self.child._readable_fields
        ]
        return [
            {name: None if (value := key(row)) is None else represent(value)
             for name, key, represent in plan}
            for row in rows
        ]


def _representation(field):
    if len(field.source_attrs) != 1:
        raise TypeError(f"{field.field_name}: a row serializer's fields read one key each.")
    if type(field) in _TEXT_FIELDS or (type(field) is serializers.UUIDField
                                       and field.uuid_format == "hex_verbose"):
        return str
    if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
        # The time zone DRF would look up for every value (the current one), once a page.
        field.timezone = field.default_timezone()
    return field.to_representation
