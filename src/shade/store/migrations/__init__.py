"""Alembic migrations of the store, run by ``shade.store`` when it opens a database.

There is no alembic.ini: ``shade.store.engine.upgrade`` builds the configuration in code
and hands Alembic an open connection (see ``env.py``). To write a new revision, add a file
to ``versions/`` by hand after the existing ones (``down_revision`` = the previous id),
mirroring the change in ``shade.store.schema``; ``tests/store/test_schema.py`` checks that
the two agree on both backends.
"""
