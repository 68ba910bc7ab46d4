"""``Store``: the one interface to the database, SQLite or PostgreSQL alike.

    with Store.open("postgresql://shade@db/shade") as store:   # None: the default SQLite file
        store.write(update, events)                   # one transaction per Update (and events)
        store.vessels_at(at, bbox=(42, 10, 54, 16))   # the picture at a time
        store.track(mmsi, start, end)                 # one vessel's points, in order
        store.events(kind="encounter", mmsi=mmsi)     # what the detectors found
        store.subscribe(callback)                     # told of each write once it is committed
        store.add_user("alice", password, "eunavfor", Role.VIEWER, actor=..., remote=...)
        store.verify_password("alice", password)      # the User, or None
        store.create_token("alice", "cron", actor=..., remote=...)  # (id, token shown once)
        store.user_for_token(token)                   # the User, or None
        store.audit_log()                             # every change: who, when, what, where

Every change to accounts and release rules writes its audit row in its own transaction.

Writes come from one thread (SQLite has one writer per file; a PostgreSQL deployment may
have several processes writing, each with its own Store). Reads and subscriptions may come
from any thread. Subscribers hear of the writes this Store made, not those of others.
A failure of the database becomes a ``ShadeError`` with a one-line message: no driver
traceback reaches the user.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from shade.accounts import (
    AuditEntry,
    Passwords,
    Role,
    Token,
    User,
    check_label,
    check_password,
    check_user,
    is_name,
    new_session,
    new_token,
    session_digest,
    token_id,
    token_matches,
)
from shade.collector import collector_paused
from shade.config import Settings
from shade.detect.events import Event, EventKind
from shade.errors import InputError, NotFoundError, ShadeError
from shade.hotline.model import Change
from shade.ledger import Signers
from shade.store import accounts, history, picture, queries
from shade.store import engine as engines
from shade.store import events as stored_events
from shade.store.accounts import ReleaseRow
from shade.store.hotline import HotlineRecords
from shade.store.ledger import Appender, Book, LedgerRecords
from shade.store.picture import BBox
from shade.store.schema import as_utc
from shade.store.sources import Sources
from shade.store.writes import Dimensions, PostgresWriter, SqliteWriter, aware
from shade.tracks.model import Aside, Point, Points, Static, Update, Vessel

log = logging.getLogger(__name__)


class Commit(NamedTuple):
    """What one committed write added, as subscribers hear of it."""

    points: Sequence[Point]  # ``Points``: columns shared by every subscriber, not to change
    statics: list[Static]
    events: list[Event]
    hotline: tuple[Change, ...] = ()  # channels and messages changed, escalations


Subscriber = Callable[[Commit], None]
_NOTHING = Update([], [], [])
# A token's last use is written at most this often: not one write per API request.
_TOUCH_EVERY = timedelta(minutes=1)
_NEW_TOKEN_TRIES = 5


def _one_line(exc: BaseException) -> str:
    # Driver messages run over several lines (DETAIL, HINT, the SQL): the first says it.
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


class Store:
    """An open database; use ``Store.open``, and close it (or use it as a context manager)."""

    def __init__(
        self, engine: Engine, url: URL, settings: Settings, passwords: Passwords | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.passwords = passwords or Passwords()
        self._url = url
        self.sources = Sources()  # the history's source names, by id (``sources``)
        writer = SqliteWriter if engine.dialect.name == "sqlite" else PostgresWriter
        self._writer = writer(self.sources)
        self._errors: tuple[type[BaseException], ...] = (
            SQLAlchemyError,
            engine.dialect.loaded_dbapi.Error,
        )
        self._subscribers: dict[object, Subscriber] = {}
        self._subscribing = threading.Lock()
        self.book = Book()  # the ledger's tree, in memory (shade.store.ledger)
        self.ledger = LedgerRecords(self)
        self.hotline = HotlineRecords(self)

    @classmethod
    def open(
        cls,
        url: str | None = None,
        settings: Settings | None = None,
        passwords: Passwords | None = None,
        new: bool = True,
    ) -> Store:
        """Open (creating if need be) and migrate the database at ``url``.

        None means a SQLite file in the user's data directory (``default_path``); no
        settings, the defaults (the commands pass ``load_settings()``); no passwords, the
        production argon2 parameters (tests pass cheaper ones). ``new=False``: a SQLite file
        that does not exist is not made but refused (NotFoundError). InputError for a URL
        that cannot be used, ShadeError when the database cannot be reached or migrated.
        """
        resolved = engines.resolve_url(url)
        engine = engines.create(resolved, new)
        store = cls(engine, resolved, settings or Settings(), passwords)
        try:
            with store._failures("cannot be opened"):
                engines.migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def url(self) -> str:
        """The database's URL, printable: the password is hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """Which database: sqlite or postgresql."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise ShadeError(f"database {self.url} {doing}: {_one_line(exc)}") from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with (
            self._failures("cannot be read"),
            self.engine.connect() as connection,
            connection.begin(),
        ):
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with (
            self._failures("cannot be written"),
            self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
            connection.begin(),
        ):
            yield connection

    # For the store's own modules (hotline, ledger): the same transactions.
    reading = _reading
    writing = _writing

    @contextmanager
    def ledger_writing(self, signers: Signers) -> Iterator[Appender]:
        """A writing transaction that appends to the ledger: committed with SQLite's
        synchronous=FULL (an accepted entry survives a power cut, not only a crash), under
        the ledger's lock; the in-memory tree follows a rollback back."""
        with self.book.lock, self._failures("cannot be written"):
            connection = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
            sqlite = self.engine.dialect.name == "sqlite"
            appender: Appender | None = None
            try:
                if sqlite:
                    # On the driver's connection, outside any transaction (it is in
                    # autocommit mode: see shade.store.engine).
                    _driver(connection).execute("PRAGMA synchronous=FULL")
                with connection.begin():
                    appender = Appender(connection, self.book, signers)
                    yield appender
            except BaseException:
                if appender is not None:
                    self.book.truncate(appender.base)
                raise
            finally:
                if sqlite:
                    _driver(connection).execute("PRAGMA synchronous=NORMAL")
                connection.close()

    def tell(self, changes: Sequence[Change]) -> None:
        """Tell subscribers of committed hotline changes (for the store's own modules)."""
        if changes:
            self._tell([], [], [], tuple(changes))

    # Writing

    def write(self, update: Update, events: Sequence[Event] = ()) -> None:
        """Store one batch and the events it caused in one transaction: all of it, or (on
        failure) none of it. An event replaces the stored one of the same id (of several
        with one id, the last is kept). Once committed, every subscriber is called with a
        ``Commit`` of the points, statics and ``events`` as given, in order; a subscriber
        that raises is logged and skipped.

        ValueError for an event with other than one or two vessels, or a point without a
        position (nothing is written).
        """
        self._write(update, events=events)

    def write_events(self, events: Sequence[Event]) -> None:
        """``write`` with no points: the events alone."""
        self._write(_NOTHING, events=events)

    def _write(
        self,
        update: Update,
        dimensions: Dimensions | None = None,
        events: Sequence[Event] = (),
    ) -> None:
        rows = stored_events.event_rows(events)
        if not (update.points or update.aside or update.statics or dimensions or rows):
            return
        update = aware(update)
        try:
            with self._writing() as connection:
                self._writer.write(connection, update, dimensions)
                stored_events.upsert(connection, rows)
        except BaseException:
            self.sources.rolled_back()
            raise
        self.sources.committed()
        if update.points or update.statics or events:
            self._tell(update.points, update.statics, list(events))

    # Subscribers

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with a ``Commit`` of each write, once it is committed, in the
        writing thread (keep it short: hand the commit over, do not work on it there).
        Returns the function that unsubscribes it (calling that again does nothing)."""
        token = object()
        with self._subscribing:
            self._subscribers[token] = callback

        def unsubscribe() -> None:
            with self._subscribing:
                self._subscribers.pop(token, None)

        return unsubscribe

    def _tell(
        self,
        points: Sequence[Point],
        statics: list[Static],
        events: list[Event],
        hotline: tuple[Change, ...] = (),
    ) -> None:
        with self._subscribing:
            subscribers = list(self._subscribers.values())
        for callback in subscribers:
            try:
                # Each its own lists: one subscriber changing them must not change another's
                # (the points' columns are not to be changed: shared).
                callback(Commit(points, list(statics), list(events), hotline))
            except Exception:
                log.exception("an event subscriber failed: %r", callback)

    # Reading

    def vessels_at(
        self,
        at: datetime | None = None,
        bbox: BBox | None = None,
        polygon: Any = None,
    ) -> list[Vessel]:
        """Each vessel's latest point at or before ``at``, if at most picture_max_age old.

        ``at`` None means the time of the newest point in the store (never the clock).
        ``bbox`` is (west, south, east, north) in degrees, west > east crossing the
        antimeridian; ``polygon`` a shapely Polygon or MultiPolygon in lon, lat, not across
        the antimeridian (points on its edge are in); with both, a vessel must be in both.
        Static fields are the vessel's latest known, whatever ``at``.
        Ordered by MMSI.
        """
        max_age = timedelta(minutes=self.settings.picture_max_age_minutes)
        with self._reading() as connection:
            when = as_utc(at) if at is not None else queries.latest_time(connection)
            if when is None:
                return []
            return picture.vessels_at(connection, when, max_age, bbox, polygon)

    def track(
        self, mmsi: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[Point]:
        """The vessel's history points with start <= at <= end, in time order."""
        with self._reading() as connection:
            return history.track(connection, self.sources, mmsi, _utc(start), _utc(end))

    def aside(
        self, mmsi: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[Aside]:
        """The vessel's kept-aside points with start <= at <= end, in time order."""
        with self._reading() as connection:
            return queries.aside_points(connection, mmsi, _utc(start), _utc(end))

    def vessel(self, mmsi: int) -> Vessel | None:
        """The vessel as the store knows it now (position fields None if it has none)."""
        with self._reading() as connection:
            return queries.vessel(connection, mmsi)

    def search(self, text: str, limit: int = 50) -> list[Vessel]:
        """Vessels whose name or call sign contains ``text`` (any case), or whose MMSI or
        IMO is ``text`` when it is a number; exact numbers first, then by MMSI."""
        with self._reading() as connection:
            return queries.search(connection, text, limit)

    def points_between(
        self, start: datetime | None = None, end: datetime | None = None, chunk: int = 50_000
    ) -> Iterator[Points]:
        """Every history point with start <= at <= end, in time order (points of one time
        in the order written), in ``Points`` of at most ``chunk`` points: how a rerun over
        history reads it, in bounded memory.

        Each is read in a transaction of its own (keyset pagination on the points' places
        in the history), so writes may go on between them; a point written meanwhile is
        met if it sorts after the last one handed out.
        """
        if chunk < 1:
            raise InputError(f"chunk must be at least 1, not {chunk}")
        start, end = _utc(start), _utc(end)
        after: history.Place | None = None
        while True:
            with collector_paused(), self._reading() as connection:
                page, after = history.points_page(
                    connection, self.sources, start, end, after, chunk
                )
            if page:
                yield page
            if len(page) < chunk:
                return

    def events(
        self,
        kind: EventKind | str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        mmsi: int | None = None,
        parties: Collection[str] | None = None,
        open_only: bool = False,
        limit: int | None = None,
    ) -> list[Event]:
        """Stored events, each in its newest state, ordered by start then id.

        ``start``/``end`` keep those overlapping [start, end] (an open event lasts on from
        its start); ``mmsi`` those with that vessel; ``parties`` those naming at least one
        of these party ids (none for an empty collection); ``open_only`` those not ended;
        ``limit`` the first so many. InputError for an unknown kind or a limit below 1.
        """
        wanted = None if kind is None else stored_events.kind_of(kind)
        if limit is not None and limit < 1:
            raise InputError(f"event limit must be at least 1, not {limit}")
        with self._reading() as connection:
            return stored_events.select_events(
                connection, wanted, _utc(start), _utc(end), mmsi, parties, open_only, limit
            )

    def event(self, event_id: str) -> Event | None:
        """The event of that id, in its newest state, or None."""
        with self._reading() as connection:
            return stored_events.select_event(connection, event_id)

    def ship_types(self) -> dict[int, int]:
        """Each vessel's ship type (AIS code), for the vessels that have one."""
        with self._reading() as connection:
            return queries.ship_types(connection)

    def count_points(self, start: datetime | None = None, end: datetime | None = None) -> int:
        """History points with start <= at <= end (all of them without bounds)."""
        with self._reading() as connection:
            return history.count_points(connection, _utc(start), _utc(end))

    def counts(self) -> dict[str, int]:
        """points, vessels, events, aside, and aside_<reason> for each AsideReason."""
        with self._reading() as connection:
            return queries.counts(connection)

    def latest_time(self) -> datetime | None:
        """The time of the newest point in the store, or None when it has none."""
        with self._reading() as connection:
            return queries.latest_time(connection)

    # Accounts. Each change takes who makes it (``actor``, e.g. "cli:root", "user:alice")
    # and from where (``remote``, e.g. "local", an IP address) for its audit row.

    def add_user(
        self,
        name: str,
        password: str,
        party: str | None,
        role: Role | str = Role.VIEWER,
        admin: bool = False,
        *,
        actor: str,
        remote: str | None,
    ) -> User:
        """A new user. InputError for a name taken or not allowed (``check_name``), a
        password the policy refuses (``check_password``), an unknown role, or no party for
        a user who is not a server admin. The party id is not checked against the parties
        file: the caller knows it."""
        wanted = check_user(name, party, role, admin)
        check_password(name, password)
        accounts.check_actor(actor, remote)
        hashed = self.passwords.hash(password)  # before the transaction: it takes a while
        at = accounts.now()
        with self._writing() as connection:
            user = accounts.insert_user(connection, name, party, wanted, admin, hashed, at)
            detail = {"party": party, "role": wanted.value, "admin": admin}
            accounts.write_audit(connection, at, actor, "user.add", name, detail, remote)
        return user

    def user(self, name: str) -> User | None:
        with self._reading() as connection:
            return accounts.select_user(connection, name)

    def user_by_id(self, user_id: int) -> User | None:
        with self._reading() as connection:
            return accounts.select_user(connection, user_id=user_id)

    def users(self) -> list[User]:
        """Every user, by name."""
        with self._reading() as connection:
            return accounts.select_users(connection)

    def disable_user(self, name: str, *, actor: str, remote: str | None) -> bool:
        """Disable the user: no password or token of theirs works any more. False (and
        nothing written) if they were disabled already; NotFoundError if there is none."""
        accounts.check_actor(actor, remote)
        at = accounts.now()
        with self._writing() as connection:
            user = accounts.existing_user(connection, name)
            if user.disabled:
                return False
            accounts.disable(connection, user.id)
            accounts.delete_sessions(connection, user.id)
            accounts.write_audit(connection, at, actor, "user.disable", name, {}, remote)
        return True

    def verify_password(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs and they are not disabled, else None.

        Takes one argon2 verification whatever the answer, so its time does not tell
        whether the name exists."""
        if not is_name(name):  # no such user can exist: not a question for the database
            self.passwords.waste(password)
            return None
        with self._reading() as connection:
            found = accounts.login_row(connection, name)
        if found is None:
            self.passwords.waste(password)
            return None
        user, hashed = found
        right = self.passwords.verify(hashed, password)
        return user if right and not user.disabled else None

    def start_session(self, user: User, hours: float, *, remote: str | None) -> tuple[str, str]:
        """A new browser session for the user, who has just proved who they are:
        (the cookie's secret, the CSRF value). The store keeps the secret's digest only.
        Audited as a login. Expired sessions are swept out on the way."""
        made = new_session()
        at = accounts.now()
        with self._writing() as connection:
            accounts.delete_sessions(connection, expired_at=at)
            accounts.insert_session(
                connection,
                made.digest,
                user.id,
                made.csrf,
                at,
                at + timedelta(hours=hours),
                remote,
            )
            actor = f"user:{user.name}"
            accounts.write_audit(connection, at, actor, "session.login", user.name, {}, remote)
        return made.secret, made.csrf

    def session(self, secret: str) -> tuple[User, str] | None:
        """The user of a live session and its CSRF value; None for no session, an expired
        one, or a disabled user."""
        if not secret or len(secret) > 128:
            return None
        with self._reading() as connection:
            found = accounts.session_login(connection, session_digest(secret))
        if found is None:
            return None
        user, csrf, expires_at = found
        if expires_at <= accounts.now() or user.disabled:
            return None
        return user, csrf

    def end_session(self, secret: str, *, remote: str | None) -> bool:
        """Log the session out: False if there was none."""
        digest = session_digest(secret)
        with self._writing() as connection:
            found = accounts.session_login(connection, digest)
            if found is None:
                return False
            accounts.delete_session(connection, digest)
            name = found[0].name
            at = accounts.now()
            accounts.write_audit(connection, at, f"user:{name}", "session.logout", name, {}, remote)
        return True

    def create_token(
        self, name: str, label: str = "", *, actor: str, remote: str | None
    ) -> tuple[str, str]:
        """A new API token for the user: (its id, the token). The token is shown once: the
        store keeps only its digest. NotFoundError for no such user, InputError for a
        disabled one."""
        accounts.check_actor(actor, remote)
        label = check_label(label)
        at = accounts.now()
        with self._writing() as connection:
            user = accounts.existing_user(connection, name)
            if user.disabled:
                raise InputError(f"user {name!r} is disabled: no token for them")
            for _ in range(_NEW_TOKEN_TRIES):
                made = new_token()
                if not accounts.token_ids_taken(connection, made.id):
                    break
            else:  # pragma: no cover - 48 random bits five times over
                raise ShadeError("could not draw an unused token id")
            accounts.insert_token(connection, made.id, user.id, label, made.digest, at)
            detail = {"user": name, "label": label}
            accounts.write_audit(connection, at, actor, "token.create", made.id, detail, remote)
        return made.id, made.token

    def tokens(self, name: str) -> list[Token]:
        """The user's tokens, revoked ones too, oldest first; NotFoundError for no user."""
        with self._reading() as connection:
            user = accounts.existing_user(connection, name)
            return accounts.select_tokens(connection, user.id)

    def token(self, token_id: str) -> Token | None:
        with self._reading() as connection:
            return accounts.select_token(connection, token_id)

    def revoke_token(self, token_id: str, *, actor: str, remote: str | None) -> bool:
        """Revoke the token for good. False (nothing written) if it was revoked already;
        NotFoundError if there is none."""
        accounts.check_actor(actor, remote)
        at = accounts.now()
        with self._writing() as connection:
            found = accounts.select_token(connection, token_id)
            if found is None:
                raise NotFoundError(f"no token {token_id!r}")
            if found.revoked:
                return False
            owner = accounts.select_user(connection, user_id=found.user_id)
            accounts.revoke(connection, token_id, at)
            detail = {"user": None if owner is None else owner.name}
            accounts.write_audit(connection, at, actor, "token.revoke", token_id, detail, remote)
        return True

    def user_for_token(self, token: str) -> User | None:
        """The user whose token this is, if it is not revoked and they are not disabled;
        else None. Records when the token was used (to the minute)."""
        wanted = token_id(token)
        if wanted is None:
            return None
        with self._reading() as connection:
            found = accounts.token_login(connection, wanted)
        if found is None:
            return None
        stored, digest, user = found
        if not token_matches(token, digest) or stored.revoked or user.disabled:
            return None
        at = accounts.now()
        if stored.last_used_at is None or at - stored.last_used_at >= _TOUCH_EVERY:
            with self._writing() as connection:
                accounts.touch(connection, wanted, at)
        return user

    def audit(
        self,
        actor: str,
        action: str,
        target: str | None,
        detail: Mapping[str, Any],
        remote: str | None,
    ) -> None:
        """Record something done outside the store (e.g. a refused login) in the audit log.
        ``detail`` must be JSON-serialisable (TypeError otherwise)."""
        at = accounts.now()
        with self._writing() as connection:
            accounts.write_audit(connection, at, actor, action, target, detail, remote)

    def audit_log(
        self,
        limit: int = 100,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
    ) -> list[AuditEntry]:
        """The newest ``limit`` audit entries passing the filters given, newest first."""
        if limit < 1:
            raise InputError(f"audit limit must be at least 1, not {limit}")
        with self._reading() as connection:
            return accounts.audit_entries(connection, limit, actor, action, target)

    # Release rules: what a party releases to another, kept as plain values.

    def release_rule(self, owner: str, viewer: str) -> ReleaseRow | None:
        with self._reading() as connection:
            return accounts.select_rule(connection, owner, viewer)

    def release_rules(
        self, owner: str | None = None, viewer: str | None = None
    ) -> list[ReleaseRow]:
        """The stored rules, those of ``owner`` and/or for ``viewer`` if given, by owner
        then viewer."""
        with self._reading() as connection:
            return accounts.select_rules(connection, owner, viewer)

    def set_release_rule(
        self,
        owner: str,
        viewer: str,
        mode: str,
        minutes: int | None,
        nm: float | None,
        events: bool,
        *,
        actor: str,
        remote: str | None,
    ) -> ReleaseRow:
        """Store the rule for (owner, viewer), replacing any; the audit row keeps the old
        values and the new. The values are not checked here (``shade.access`` does)."""
        accounts.check_actor(actor, remote)
        if owner == viewer:
            raise InputError(f"a release rule is between two parties, not {owner!r} and itself")
        at = accounts.now()
        rule = ReleaseRow(owner, viewer, mode, minutes, nm, events, at, actor)
        with self._writing() as connection:
            old = accounts.select_rule(connection, owner, viewer)
            accounts.put_rule(connection, rule, replace=old is not None)
            detail = {"old": accounts.rule_fields(old), "new": accounts.rule_fields(rule)}
            target = f"{owner}->{viewer}"
            accounts.write_audit(connection, at, actor, "release.set", target, detail, remote)
        return rule

    def remove_release_rule(
        self, owner: str, viewer: str, *, actor: str, remote: str | None
    ) -> bool:
        """Remove the rule for (owner, viewer); False (nothing written) if there was none."""
        accounts.check_actor(actor, remote)
        at = accounts.now()
        with self._writing() as connection:
            old = accounts.select_rule(connection, owner, viewer)
            if old is None:
                return False
            accounts.delete_rule(connection, owner, viewer)
            detail = {"old": accounts.rule_fields(old), "new": None}
            target = f"{owner}->{viewer}"
            accounts.write_audit(connection, at, actor, "release.remove", target, detail, remote)
        return True


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else as_utc(at)
