"""Reshape tables into the data contract: milestone columns of an order table become events."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from cjm_lab._params import renamed_args, validate_params
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError
from cjm_lab.io.contracts import load_events, parse_timestamps

__all__ = ["events_from_milestones"]


@renamed_args({"id": "id_column"})
@validate_params({})
def events_from_milestones(
    data: pd.DataFrame,
    *,
    id_column: str,
    milestones: Mapping[str, str],
    promised: Mapping[str, str] | None = None,
    keep: list[str] | None = None,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Turn one row per case with a timestamp column per milestone into an event log.

    Order tables from shops and CRMs (purchase, approval, shipping, delivery, review
    timestamps per order) become the events table of the data contract, one event per
    filled milestone; an empty milestone (not delivered yet) gives no event.

    Parameters
    ----------
    data : DataFrame
        One row per case (order, ticket, application).
    id_column : str
        The case column; it becomes ``customer_id`` (one journey per case).  (Called ``id``
        before 0.2; the old name works until 0.3.)
    milestones : dict
        Touchpoint name → timestamp column, in journey order (the order breaks ties of
        equal timestamps through ``sequence``).
    promised : dict, optional
        Touchpoint name → column with the promised time of that milestone (e.g.
        ``{"Delivery": "order_estimated_delivery_date"}``); it becomes the event column
        ``promised`` used by :func:`cjm_lab.journeys.pain_points` for lateness.
    keep : list of str, optional
        Case columns copied onto every event (segments such as the customer's state).
    timezone : str, default "UTC"
        Zone of naive timestamps.

    Returns
    -------
    DataFrame
        A validated event log (see :func:`cjm_lab.io.load_events`) with ``promised`` and
        the kept columns.

    Examples
    --------
    >>> orders = pd.DataFrame({"order": ["o1", "o2"],
    ...                        "bought": ["2025-01-02 10:00", "2025-01-03 09:00"],
    ...                        "delivered": ["2025-01-06 12:00", None],
    ...                        "eta": ["2025-01-05", "2025-01-08"]})
    >>> ev = events_from_milestones(orders, id_column="order",
    ...                             milestones={"Purchase": "bought", "Delivery": "delivered"},
    ...                             promised={"Delivery": "eta"})
    >>> ev[["customer_id", "touchpoint", "sequence"]].values.tolist()
    [['o1', 'Purchase', 0], ['o1', 'Delivery', 1], ['o2', 'Purchase', 2]]
    """
    where = "events_from_milestones()"
    require_frame(data, where=where)
    if not milestones:
        raise CJMConfigError(f"{where}: `milestones` must name at least one touchpoint and its timestamp column.")
    promised = dict(promised or {})
    keep = list(keep or [])
    require_columns(
        data,
        {
            "id_column": id_column,
            "milestones": list(milestones.values()),
            "promised": list(promised.values()),
            "keep": keep,
        },
        where=where,
    )
    unknown = set(promised) - set(milestones)
    if unknown:
        raise CJMConfigError(f"{where}: `promised` names touchpoints that are no milestone: {sorted(unknown)}.")
    names = list(milestones)
    stamps = {name: parse_timestamps(data[col], column=col, timezone=timezone) for name, col in milestones.items()}
    promises = {name: parse_timestamps(data[col], column=col, timezone=timezone) for name, col in promised.items()}
    n, k = len(data), len(names)
    frame = pd.DataFrame(
        {
            "customer_id": np.repeat(data[id_column].astype("str").to_numpy(), k),
            "timestamp": pd.concat([stamps[m] for m in names], axis=1).to_numpy().ravel(),
            "touchpoint": np.tile(np.array(names, dtype=object), n),
            "promised": pd.concat(
                [promises.get(m, pd.Series(pd.NaT, index=data.index, dtype="datetime64[us, UTC]")) for m in names],
                axis=1,
            )
            .to_numpy()
            .ravel(),
        }
    )
    for col in keep:
        frame[col] = np.repeat(data[col].to_numpy(), k)
    frame = frame[frame["timestamp"].notna()].reset_index(drop=True)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["promised"] = pd.to_datetime(frame["promised"], utc=True)
    return load_events(frame)
