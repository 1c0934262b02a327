"""Migration operations shared by apps."""

from django.db.migrations.operations.base import Operation


class AppendOnly(Operation):
    """On PostgreSQL, forbid UPDATE and DELETE on a table with a trigger. No-op elsewhere.

    The ORM already refuses (``AppendOnlyModel``); the trigger closes the raw-SQL door, so an
    append-only table stays append-only whatever code or person touches it.
    """

    reversible = True

    def __init__(self, table: str):
        self.table = table

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        fn = f"{self.table}_append_only"
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
            END $$;
            DROP TRIGGER IF EXISTS {fn} ON {self.table};
            CREATE TRIGGER {fn} BEFORE UPDATE OR DELETE ON {self.table}
              FOR EACH ROW EXECUTE FUNCTION {fn}();
            """,
            None,  # no parameters: the '%' in RAISE is PL/pgSQL's, not a placeholder
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        fn = f"{self.table}_append_only"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {fn} ON {self.table}; DROP FUNCTION IF EXISTS {fn}();")

    def describe(self):
        return f"Make {self.table} append-only"

    def deconstruct(self):
        return (f"{self.__class__.__module__}.{self.__class__.__name__}", [self.table], {})
