"""The full-text index of SearchEntry, which differs per database.

PostgreSQL: a generated tsvector column over the analyzed lexemes ('simple' only splits;
the analysis is done in Python) with a GIN index. SQLite: an FTS5 table over the same
columns (external content = search_searchentry), kept in sync by triggers, so that
deletes cascading from a collectivity and bulk updates cannot leave it stale.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_lexemes), 'A')
        || setweight(to_tsvector('simple'::regconfig, lexemes), 'D')
    ) STORED
    """,
    "CREATE INDEX searchentry_vector_gin ON search_searchentry USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS searchentry_vector_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title_lexemes, lexemes,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )
    """,
    """
    CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title_lexemes, lexemes)
        VALUES (new.id, new.title_lexemes, new.lexemes);
    END
    """,
    """
    CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_lexemes, lexemes)
        VALUES ('delete', old.id, old.title_lexemes, old.lexemes);
    END
    """,
    """
    CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_lexemes, lexemes)
        VALUES ('delete', old.id, old.title_lexemes, old.lexemes);
        INSERT INTO search_fts(rowid, title_lexemes, lexemes)
        VALUES (new.id, new.title_lexemes, new.lexemes);
    END
    """,
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("search", "0001_add_search_entry")]

    operations = [migrations.RunPython(forward, backward)]
