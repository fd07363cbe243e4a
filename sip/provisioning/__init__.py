"""SIP provisioning: the DB says what LiveKit should hold; reconcile makes it so.

- `desired.py` reads the DB into plain, comparable objects (no LiveKit calls);
- `actual.py` reads what LiveKit holds and which of it we manage;
- `plan.py` diffs the two into create/update/delete actions (pure, no I/O);
- `apply.py` carries the actions out with livekit-api, counting every write;
- `sync.py` ties them together and records the outcome on the DB rows.
"""

from sip.provisioning.sync import SyncResult, sync_database

__all__ = ["SyncResult", "sync_database"]
