"""PostgreSQL indexes of the catalogue's search (docs/ckan.md "Speed"): trigrams for
`search_text LIKE '%word%'` and the active datasets by id for the harvester's paging.
SQLite keeps the plain scan."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # package_search's q and the catalogue search: search_text LIKE '%word%'.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dataset_search_trgm "
        "ON opendata_dataset USING gin (search_text gin_trgm_ops)"
    )
    # package_search sort=id asc (ckanext-harvest's paging): the page's ids are found in
    # an index-only scan, `start` skipped without reading rows.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dataset_active_id "
        "ON opendata_dataset (id) WHERE is_active"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dataset_active_id")
    schema_editor.execute("DROP INDEX IF EXISTS dataset_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0003_open_data_not_scored")]
    operations = [migrations.RunPython(create, drop)]
