"""Full-text search structures that Django fields cannot express: FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS conversation_fts USING fts5("
    "subject, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
PG_CREATE = (
    "CREATE INDEX IF NOT EXISTS searchdoc_vector_gin ON conversations_searchdocument USING GIN (vector)"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(PG_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS conversation_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
