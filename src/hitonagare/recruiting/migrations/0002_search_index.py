"""The bigram index behind opening search (ADR 0008), one form per database.

SQLite: an FTS5 table (ascii tokenizer, no positions) keyed by the opening's id.
PostgreSQL: a table of tsvectors with a GIN index. Both hold the same tokens.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE recruiting_opening_fts USING fts5("
    "tokens, detail=none, tokenize='ascii')"
)
POSTGRES_CREATE = [
    "CREATE TABLE recruiting_opening_fts ("
    # No foreign key: Django does not know this table, and a key would make its TRUNCATE of
    # recruiting_opening (test flushes) fail. Rows of deleted openings are never returned:
    # search keeps only ids present among the published openings (search_store).
    " opening_id bigint PRIMARY KEY,"
    " tokens tsvector NOT NULL)",
    "CREATE INDEX recruiting_opening_fts_tokens ON recruiting_opening_fts USING gin (tokens)",
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported (ADR 0003)
        raise RuntimeError("opening search needs SQLite or PostgreSQL")


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS recruiting_opening_fts")


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
