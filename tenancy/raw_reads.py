"""Model instances from rows of plain SQL, as the ORM would read them.

For the few reads that run on every request or every object's page (the API token, an
object's thread), where the ORM's composing of the query and its objects cost more than
the rest of the read: their SQL is composed once a process from the models' tables and
columns, and each row becomes instances here.
"""

import functools

from django.db import connection


def instance_from(model, values):
    """A `model` read from the next values of the iterator `values`, one per concrete field,
    through the converters the ORM applies (SQLite's datetimes, booleans and UUIDs)."""
    attnames, columns = model_columns(model)
    converted = []
    for column in columns:
        value = next(values)
        for converter in (connection.ops.get_db_converters(column)
                          + column.get_db_converters(connection)):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, attnames, converted)


@functools.cache
def model_columns(model):
    """The attribute names and the columns (the ORM's expressions, whose type picks the
    converters: a foreign key's is its target's) of the concrete fields of `model`."""
    fields = model._meta.concrete_fields
    return ([field.attname for field in fields],
            [field.get_col(model._meta.db_table) for field in fields])


def selected_columns(alias, model):
    """`alias.column, ...` of the concrete fields of `model`, in `instance_from`'s order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def quoted_column(model, field_name):
    """The quoted column of `model`'s field `field_name`, for composing plain SQL."""
    return connection.ops.quote_name(model._meta.get_field(field_name).column)
