"""The database: vessels, their history, kept-aside points and events; SQLite or PostgreSQL.

``Store`` (``store.py``) is the interface; ``schema`` the tables, ``migrations`` how they
are made, ``writes`` and ``queries`` the two sides, ``picture`` the vessels at a time,
``events`` the detectors' events, ``engine`` URLs and backend settings, ``marinecadastre``
the import of MarineCadastre CSV files.
"""

from shade.store.engine import default_path
from shade.store.store import Store

__all__ = ["Store", "default_path"]
