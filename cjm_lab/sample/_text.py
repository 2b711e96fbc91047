"""Vectorised string helpers (pyarrow compute) shared by the sample generator."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["format_ids", "take_labels"]


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Format integers as zero-padded string ids, e.g. ``C0000042``.

    Parameters
    ----------
    prefix : str
        Text before the digits.
    numbers : numpy.ndarray
        Non-negative integers.
    width : int
        Minimum number of digits.

    Returns
    -------
    pyarrow.Array
        A string array of the same length.

    Examples
    --------
    >>> format_ids("C", np.array([1, 42]), 4).to_pylist()
    ['C0001', 'C0042']
    """
    digits = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, width, "0"), "")


def take_labels(levels: Sequence[str], codes: np.ndarray) -> pa.Array:
    """Turn integer codes into a string array of the matching labels.

    Examples
    --------
    >>> take_labels(["a", "b"], np.array([1, 0, 1])).to_pylist()
    ['b', 'a', 'b']
    """
    return pc.take(pa.array(list(levels), type=pa.string()), pa.array(np.asarray(codes)))
