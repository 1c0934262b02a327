"""PostgreSQL backstops the ORM cannot declare portably: live ranges of one prefix never overlap
(btree_gist exclusion over int8range, only among blocks that are not superseded by a split), and the
movement and report-step tables are append-only. No-ops on SQLite, where the services check the same."""

from django.db import migrations

from tanpuhui.common.operations import AppendOnly

EXCLUDE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE registry_creditblock ADD CONSTRAINT block_live_ranges_disjoint
  EXCLUDE USING gist (prefix WITH =, int8range(serial_start, serial_end, '[]') WITH &&)
  WHERE (status <> 'superseded');
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUDE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE registry_creditblock DROP CONSTRAINT block_live_ranges_disjoint")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        AppendOnly("registry_movement"),
        AppendOnly("registry_reportstep"),
    ]
