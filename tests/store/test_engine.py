"""Opening databases: URLs, the default file, SQLite's settings, migrations, failures."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from shade.errors import InputError, NotFoundError, ShadeError
from shade.store import Store, default_path
from shade.store import engine as engines
from shade.store.engine import resolve_url
from tests.store.make import HEAD, point, update


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:////tmp/a.db", "sqlite:////tmp/a.db"),
        ("/tmp/b.db", "sqlite:////tmp/b.db"),
        ("relative.db", "sqlite:///relative.db"),
        ("sqlite://", "sqlite://"),
        ("postgresql://u:secret@h:5433/d", "postgresql+psycopg://u:***@h:5433/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u:pw@h/d", "postgresql+psycopg://u:***@h/d"),
    ],
)
def test_urls(given: str, expected: str) -> None:
    assert resolve_url(given).render_as_string(hide_password=True) == expected


@pytest.mark.parametrize(
    "given", ["", "  ", "mysql://u@h/d", "postgresql+psycopg2://u@h/d", "http://x", "://"]
)
def test_urls_that_cannot_be_used(given: str) -> None:
    with pytest.raises(InputError):
        resolve_url(given)


def test_the_password_is_hidden(store_url: str) -> None:
    with Store.open(store_url) as store:
        if "@" in store_url:
            assert ":***@" in store.url and "shade_test:" not in store.url.split("@")[-1]
        assert store.backend in ("sqlite", "postgresql")


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    # A fresh process, so platformdirs reads XDG_DATA_HOME from this environment.
    code = (
        "from shade.store import Store, default_path\n"
        "with Store.open() as store:\n"
        "    print(default_path()); print(store.url)\n"
    )
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path, url = done.stdout.splitlines()
    assert path == str(tmp_path / "data" / "shade" / "shade.db")
    assert url == f"sqlite:///{path}"
    assert Path(path).is_file()


def test_default_path_is_under_the_user_data_directory() -> None:
    assert default_path().name == "shade.db" and default_path().parent.name == "shade"


def test_sqlite_parent_directories_are_made(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "shade.db"
    with Store.open(str(path)) as store:
        store.write(update([point()]))
    assert path.is_file()


def test_a_missing_sqlite_file_is_not_made_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "a" / "shade.db"
    with pytest.raises(NotFoundError, match=f"no database at {path}$"):
        Store.open(str(path), new=False)
    assert list(tmp_path.iterdir()) == []
    Store.open(str(path)).close()
    with Store.open(str(path), new=False) as store:
        assert store.counts()["points"] == 0


def test_sqlite_settings(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "s.db")) as store, store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert pragma("PRAGMA busy_timeout").scalar() == 30000


def test_sqlite_in_memory() -> None:
    with Store.open("sqlite://") as store:
        store.write(update([point()]))
        assert store.counts()["points"] == 1


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        Store.open(str(tmp_path))


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    with pytest.raises(ShadeError, match="cannot be opened") as caught:
        Store.open(str(path))
    assert "\n" not in caught.value.message


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ShadeError, match="cannot be opened") as caught:
        Store.open("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "\n" not in caught.value.message and "secret" not in caught.value.message


def test_reopening_keeps_the_data_and_the_schema(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.write(update([point()]))
    with Store.open(store_url) as store:
        assert store.track(366000001) == [point()]
        tables = set(inspect(store.engine).get_table_names())
    assert {"segments", "sources", "aside", "vessels", "alembic_version"} <= tables


def test_a_sqlite_reader_does_not_block_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    with Store.open(str(path)) as store:
        store.write(update([point(seconds=0)]))
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        assert reader.execute("SELECT sum(n) FROM segments").fetchone() == (1,)
        store.write(update([point(seconds=1)]))  # WAL: goes through while the read is open
        assert reader.execute("SELECT sum(n) FROM segments").fetchone() == (1,)
        reader.rollback()
        reader.close()
        assert store.counts()["points"] == 2


def test_processes_opening_a_new_database_at_once_migrate_it_once(store_url: str) -> None:
    code = "import sys\nfrom shade.store import Store\nStore.open(sys.argv[1]).close()\n"
    racers = [
        subprocess.Popen([sys.executable, "-c", code, store_url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err.decode()
    with Store.open(store_url) as store, store.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert [tuple(v) for v in versions] == [(HEAD,)]


def test_the_newest_revision_is_alembics_head() -> None:
    assert engines.newest_revision() == HEAD


def test_a_database_at_the_newest_revision_opens_without_alembic(store_url: str) -> None:
    Store.open(store_url).close()  # made and migrated
    program = (
        "import sys\n"
        "from shade.store import Store\n"
        f"Store.open({store_url!r}).close()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
