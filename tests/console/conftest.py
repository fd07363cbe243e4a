from tests.support.fixtures import *  # noqa: F403  (db, app, client on SQLite and Postgres)
