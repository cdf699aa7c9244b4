"""Bulk import and export for pipelines: streaming readers, row validation, bulk writers.

`resource_file_import` imports a file of reference data, contracts or links
through their django-import-export resources; `violation_file_import` streams
violations into the database with COPY. Both write all rows or none and report
what they did as an `ImportSummary`.
"""
