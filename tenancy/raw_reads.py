"""Model instances from rows of plain SQL, as the ORM would read them.

For the few reads that run on every request or every object's page (the API token, an
object's thread), where the ORM's composing of the query and its objects cost more than
the rest of the read: their SQL is composed once a process from the models' tables and
columns, and each row becomes instances here.
"""

import functools
import itertools

from django.db import DEFAULT_DB_ALIAS, connection, connections


def instance_from(model, values):
    """A `model` read from the next values of the iterator `values`, one per concrete field,
    through the converters the ORM applies (SQLite's datetimes, booleans and UUIDs)."""
    attnames, conversions = _reading(model, connections[DEFAULT_DB_ALIAS])
    row = list(itertools.islice(values, len(attnames)))
    for index, column, converters in conversions:
        value = row[index]
        for converter in converters:
            value = converter(value, column, connection)
        row[index] = value
    return model.from_db(connection.alias, attnames, row)


@functools.lru_cache(maxsize=256)
def _reading(model, database):
    """The attribute names of `model`'s concrete fields, and (index, column, converters) of
    those whose values the ORM converts on `database` (one connection per thread)."""
    fields = model._meta.concrete_fields
    attnames = [field.attname for field in fields]
    # A column's type picks its converters: a foreign key's is its target's.
    columns = [field.get_col(model._meta.db_table) for field in fields]
    conversions = []
    for index, column in enumerate(columns):
        converters = (database.ops.get_db_converters(column)
                      + column.get_db_converters(database))
        if converters:
            conversions.append((index, column, tuple(converters)))
    return attnames, tuple(conversions)


def selected_columns(alias, model):
    """`alias.column, ...` of the concrete fields of `model`, in `instance_from`'s order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def quoted_table(model):
    """The quoted table of `model`, for composing plain SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def quoted_column(model, field_name):
    """The quoted column of `model`'s field `field_name`, for composing plain SQL."""
    return connection.ops.quote_name(model._meta.get_field(field_name).column)


def key_of(model, value):
    """`value`, a key of `model`, as the database takes it in a query's parameters."""
    return model._meta.pk.get_db_prep_value(value, connection)


def with_ids(sql, name, model, ids):
    """(`sql` with its `%(name)s` replaced by a placeholder for each of `ids`, the ids as the
    database takes `model`'s keys): plain SQL's `IN (...)` of a varying number of ids."""
    values = [key_of(model, value) for value in ids]
    return sql.replace(f"%({name})s", ", ".join(["%s"] * len(values))), values
