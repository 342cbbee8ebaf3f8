"""The stamps of live pages, each one raw SQL statement on Django's connection.

A stamp is a short text that changes whenever a page would: one purchase
order's page, the buyer's list, the supplier's inbox, home. Pages carry the
stamp they were rendered with and poll for it about once a second
(``views/live.py``, ``live_wsgi.py``), so the query is written out here, not
composed by the ORM on every poll, and the values are normalised (times in
UTC, as text) so that a stamp computed from a page's prefetched rows
(``order_digest``) is the same on SQLite and PostgreSQL.

Who may see what is the selectors' rule (``visible_purchase_orders``,
``list_purchase_orders``), written again in SQL: a business sees the orders
it buys, and the orders it supplies once sent (never a draft, nor one
waiting for its buyer's approval).
"""

import datetime
import hashlib
from functools import cache

from django.db import connections

from purchase_orders import lifecycle
from purchase_orders.models import InboundEvent, OutboundMessage, PurchaseOrder

UNDELIVERED = (OutboundMessage.State.FAILED.value, OutboundMessage.State.REJECTED.value)
# The statuses a supplier never sees (the buyer's alone).
LOCAL = tuple(lifecycle.LOCAL_STATUSES)


def _moment(value) -> str | None:
    """Return a stored time as UTC text, whether the backend gave a datetime or text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def order_digest(*, version, status, pending_action, updated_at, messages, events) -> str:
    """Return a purchase order's stamp from its fields, its (pk, state, attempts) and events."""
    return digest(
        version, status, pending_action or "", _moment(updated_at), sorted(messages), events
    )


@cache
def _tables() -> dict:
    def column(model, name):
        return model._meta.get_field(name).column

    return {
        "po": PurchaseOrder._meta.db_table,
        "out": OutboundMessage._meta.db_table,
        "ev": InboundEvent._meta.db_table,
        "po_id": PurchaseOrder._meta.pk.column,
        "out_id": OutboundMessage._meta.pk.column,
        "out_po": column(OutboundMessage, "purchase_order"),
        "ev_po": column(InboundEvent, "purchase_order"),
        "object_id": column(PurchaseOrder, "object_id"),
        "buyer": column(PurchaseOrder, "buyer"),
        "supplier": column(PurchaseOrder, "supplier"),
        "pending": column(PurchaseOrder, "pending_message"),
    }


def _in(column: str, ids, params: list) -> str:
    """Return ``column IN (…)`` for ``ids`` (a condition never true when there are none)."""
    ids = sorted(ids)
    if not ids:
        return "1 = 0"
    params.extend(ids)
    return f"{column} IN ({', '.join(['%s'] * len(ids))})"


def _visible(buyer_ids, supplier_ids, params: list) -> str:
    business_ids = set(buyer_ids) | set(supplier_ids)
    buyer = _in("po.{buyer}".format(**_tables()), business_ids, params)
    supplier = _in("po.{supplier}".format(**_tables()), business_ids, params)
    return f"({buyer} OR ({supplier} AND {_not_local(params)}))"


def _not_local(params: list) -> str:
    """Return the condition that an order's status is one its supplier sees."""
    params.extend(LOCAL)
    return f"po.status NOT IN ({', '.join(['%s'] * len(LOCAL))})"


def _rows(sql: str, params: list, using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def purchase_order_stamp(*, buyer_ids, supplier_ids, object_id: str) -> str | None:
    """Return one purchase order's stamp, or None unless these businesses may see it."""
    t = _tables()
    params: list = []
    where = _visible(buyer_ids, supplier_ids, params)
    sql = (
        "SELECT po.version, po.status, po.pending_action, po.updated_at, "
        "(SELECT COUNT(*) FROM {ev} ev WHERE ev.{ev_po} = po.{po_id}), "
        "m.{out_id}, m.state, m.attempts "
        "FROM {po} po LEFT JOIN {out} m ON m.{out_po} = po.{po_id} "
        "WHERE po.{object_id} = %s AND "
    ).format(**t) + where
    rows = _rows(sql, [object_id, *params])
    if not rows:
        return None
    version, status, pending_action, updated_at, events = rows[0][:5]
    messages = [tuple(row[5:]) for row in rows if row[5] is not None]
    return order_digest(
        version=version,
        status=status,
        pending_action=pending_action,
        updated_at=updated_at,
        messages=messages,
        events=events,
    )


def _summary(where: str, params: list, *, undelivered: bool) -> str:
    """Digest the orders ``where`` selects, grouped by their pending message's state.

    Every change to an order saves it and so moves its ``updated_at``; the
    count catches a draft deleted; the pending message's state and attempts
    change the words a list says of a pending action ("retrying", "not
    delivered") without saving the order. With ``undelivered``, the failed
    and refused messages too (home lists them).
    """
    t = _tables()
    columns = "COUNT(DISTINCT po.{po_id}), MAX(po.updated_at), SUM(pm.attempts)"
    joins = "LEFT JOIN {out} pm ON pm.{out_id} = po.{pending}"
    head: list = []
    if undelivered:
        columns += ", COUNT(u.{out_id}), MAX(u.{out_id}), SUM(u.attempts)"
        joins += " LEFT JOIN {out} u ON u.{out_po} = po.{po_id} AND u.state IN (%s, %s)"
        head.extend(UNDELIVERED)
    sql = (f"SELECT pm.state, {columns} FROM {{po}} po {joins} WHERE ").format(**t) + where
    sql += " GROUP BY pm.state"
    rows = _rows(sql, [*head, *params])
    return digest(
        sorted((state or "", count, _moment(latest), *rest) for state, count, latest, *rest in rows)
    )


def list_stamp(*, buyer_ids) -> str:
    """Return the buyer's list's stamp: the orders these businesses buy."""
    params: list = []
    where = _in("po.{buyer}".format(**_tables()), buyer_ids, params)
    return _summary(where, params, undelivered=False)


def inbox_stamp(*, supplier_ids) -> str:
    """Return the supplier's inbox's stamp: the orders sent to these businesses."""
    params: list = []
    where = _in("po.{supplier}".format(**_tables()), supplier_ids, params)
    return _summary(f"{where} AND {_not_local(params)}", params, undelivered=False)


def home_stamp(*, buyer_ids, supplier_ids) -> str:
    """Return the home page's stamp: every order visible, and the undelivered messages."""
    params: list = []
    where = _visible(buyer_ids, supplier_ids, params)
    return _summary(where, params, undelivered=True)
