"""PostgreSQL full-text search in French with accents ignored: the ``unaccent`` extension and the
``resilis_fr`` text search configuration (the French one, with ``unaccent`` before the French stemmer), so
that « equipe », « Équipe » and « équipes » find the same rows."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'resilis_fr') THEN
    CREATE TEXT SEARCH CONFIGURATION resilis_fr (COPY = pg_catalog.french);
    ALTER TEXT SEARCH CONFIGURATION resilis_fr
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
"""

DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS resilis_fr;"


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunSQL(CREATE, DROP)]
