"""Create the table of each configured database cache, as ``createcachetable`` does.

The default cache is the database cache ``procurement_cache`` unless
CACHE_URL names another. Without its table anything that caches fails with
"no such table"; creating it here means ``migrate`` alone prepares a
database. The tables are those of ``settings.CACHES`` when the migration
runs, made by Django's own command (same columns, index and database
routers), which leaves alone a table that already exists, such as one an
earlier ``createcachetable`` made. Reversed, the tables are dropped: a cache
holds nothing that cannot be lost.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command
from django.db import migrations, router


def cache_tables() -> list[str]:
    """Return the table names of the configured database caches."""
    return [
        caches[alias]._table
        for alias in settings.CACHES
        if isinstance(caches[alias], BaseDatabaseCache)
    ]


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    connection = schema_editor.connection
    existing = connection.introspection.table_names()
    for table in cache_tables():
        # The routers decide where a cache table lives, as they did for its creation.
        model = BaseDatabaseCache(table, {}).cache_model_class
        if table in existing and router.allow_migrate_model(connection.alias, model):
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0006_live_change_notifications"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False),
    ]
