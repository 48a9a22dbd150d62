"""On PostgreSQL, activity events are numbered when their transaction
commits, so that ids grow in commit order without a lock held from the
insert to the commit (backend.activity.services explains why the order
matters).

A deferred constraint trigger runs at COMMIT, inside PostgreSQL: it takes
the outbox's transaction-scoped advisory lock and gives each new event a
fresh id from the table's sequence and the time of that moment. The lock is
then held only for the commit itself, never across a round trip to the
application. The id returned by the INSERT is provisional; no row refers to
an event's id.

SQLite needs nothing: it has one writer at a time, and Pantau opens write
transactions with BEGIN IMMEDIATE.
"""

from django.db import migrations

# pg_advisory_xact_lock key of the outbox ("pantau" in ASCII).
OUTBOX_LOCK_KEY = 0x70616E746175
TABLE = "activity_activityevent"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
    schema_editor.execute(
        f"""
        CREATE FUNCTION activity_event_commit_order() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({OUTBOX_LOCK_KEY});
            UPDATE {TABLE}
               SET id = nextval('{sequence}')
             WHERE id = NEW.id;
            RETURN NULL;
        END
        $$
        """
    )
    schema_editor.execute(
        f"""
        CREATE CONSTRAINT TRIGGER activity_event_commit_order
        AFTER INSERT ON {TABLE}
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION activity_event_commit_order()
        """
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER activity_event_commit_order ON {TABLE}")
    schema_editor.execute("DROP FUNCTION activity_event_commit_order()")


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_activity_events"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
