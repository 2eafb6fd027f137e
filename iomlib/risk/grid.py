"""The person-by-date risk grid, compiled (Numba) or as scatter + cumulative sum (NumPy).

Behind :func:`iomlib.risk.engine.risk_matrix`: :func:`window_grid` runs a Numba-compiled
recurrence along each person's row (see its docstring); without Numba (or with
``IOM_NO_NUMBA=1``) it falls back to :func:`risk_grid`, described here, which the tests use as a
second reference. In :func:`risk_grid`, with grid dates ``t[0] < ... < t[m-1]`` and a
reference day ``r``, every offence (day ``d``, weight ``w``) in a person's window adds the same
scaled value ``x = w * 2 ** ((d - r) / H)`` to the running sum from the first grid date it is
in (``j_in``: first ``t[j] >= d``) to the last (``j_out - 1``: ``j_out`` is the first
``t[j] >= d + W``), so::

    risk[p, j] = 2 ** (-(t[j] - r) / H) * cumsum_over_j(entering x - leaving x)[p, j]

One scatter of ``+x`` at ``(p, j_in)`` and ``-x`` at ``(p, j_out)`` into the person-major
``(n, m)`` output, a cumulative sum along each row and a rescaling by the row vector of decay
factors: a few passes over the offences and over the cells, no sort, no loop over people or
dates. The sum is the same recurrence as ``R[j] = R[j-1] * decay + entering - leaving`` up to
the scale factor, with the same rounding behaviour.

Exponents stay bounded: the dates are cut into spans over which ``(t[j] - r) / H`` stays
below ``_EXP_SPAN`` (one span for any ordinary configuration), each with its own ``r``, and
the running sum is carried from one span into the next. A window with no offence in it is
exactly zero: a per-cell "furthest exit so far" (a running maximum of ``j_out`` over entered
offences) marks the empty cells, where the running sum can only hold rounding residue.
"""
from __future__ import annotations

import numpy as np

_EXP_SPAN = 512.0  # 2 ** 512 * weights stays far from float overflow (2 ** 1024)


def grid_positions(t: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``np.searchsorted(t, days, "left")`` through a lookup table over ``t``'s day range.

    Parameters
    ----------
    t : ndarray of int
        Grid day numbers, strictly increasing.
    days : ndarray of int
        Query day numbers.

    Returns
    -------
    ndarray of int32
        Number of grid days strictly before each query day.
    """
    t0, t1 = int(t[0]), int(t[-1])
    lut = np.searchsorted(t, np.arange(t0, t1 + 2), "left").astype(np.int32)
    return lut[np.clip(days, t0, t1 + 1) - t0]


def span_starts(t: np.ndarray, half_life: float) -> np.ndarray:
    """First grid column of each span over which ``(t[j] - t[start]) / H <= _EXP_SPAN``.

    Parameters
    ----------
    t : ndarray of int
        Grid day numbers, strictly increasing.
    half_life : float
        ``H`` (inf: one span).

    Returns
    -------
    ndarray of int
        Column indices, starting with 0.
    """
    starts = [0]
    limit = _EXP_SPAN * half_life
    for j in range(1, len(t)):
        if t[j] - t[starts[-1]] > limit:
            starts.append(j)
    return np.asarray(starts, dtype=np.int64)


def risk_grid(pc, d, w, j_in, j_out, t, n: int, half_life: float) -> np.ndarray:
    """The ``(n, len(t))`` grid of decayed window sums from each offence's grid entry and exit.

    Parameters
    ----------
    pc : ndarray of int
        Row (person) of each offence, ``0 <= pc < n``.
    d : ndarray of int
        Day number of each offence.
    w : ndarray of float
        Weight of each offence.
    j_in, j_out : ndarray of int
        First grid column each offence is in, first column it is no longer in
        (``j_in < j_out <= len(t)``).
    t : ndarray of int
        Grid day numbers, strictly increasing.
    n : int
        Number of rows.
    half_life : float
        ``H``.

    Returns
    -------
    ndarray of float, shape (n, len(t)), C-contiguous
    """
    m = len(t)
    starts = span_starts(t, half_life)
    cells = pc.astype(np.int64) * m
    cells += j_in
    empty = _empty_cells(cells, j_out, n, m)
    out = _scatter(cells, d, w, j_in, j_out, t, starts, n * m, half_life).reshape(n, m)
    del cells
    _accumulate(out, empty, t, starts, half_life)
    return out


def _empty_cells(cells: np.ndarray, j_out: np.ndarray, n: int, m: int) -> np.ndarray:
    """Boolean ``(n, m)``: no offence of the row is in the window of the column's date.

    A cell ``(p, j)`` holds an offence when some offence of ``p`` entered at a column
    ``<= j`` and leaves after ``j``: the running maximum along the row of the exit columns
    scattered at the entry columns exceeds ``j``.
    """
    dtype = np.min_scalar_type(m)
    reach = np.zeros(n * m, dtype)
    np.maximum.at(reach, cells, j_out.astype(dtype))
    reach = reach.reshape(n, m)
    np.maximum.accumulate(reach, axis=1, out=reach)
    return reach <= np.arange(m, dtype=dtype)


def _scatter(cells, d, w, j_in, j_out, t, starts, size: int, half_life: float) -> np.ndarray:
    """Flat ``size`` array of the scaled values entering (+) and leaving (-) at each cell.

    The leaving entry of an offence that never leaves the grid goes to a spare last element
    (dropped), which keeps every array aligned with the offences (no compaction).
    """
    ref = t[starts][np.searchsorted(starts, np.arange(len(t)), "right") - 1]
    x = np.subtract(d, ref[j_in], dtype=float)
    x /= half_life
    np.exp2(x, out=x)
    x *= w
    has_out = j_out < len(t)
    leave = np.where(has_out, cells + (j_out - j_in), size)
    if len(starts) == 1:
        x_out = x                        # same reference day: the value that entered leaves
    else:
        x_out = np.subtract(d, ref[np.minimum(j_out, len(t) - 1)], dtype=float)
        x_out /= half_life
        np.exp2(x_out, out=x_out)
        x_out *= w
    buf = np.zeros(size + 1)
    np.add.at(buf, cells, x)
    np.subtract.at(buf, leave, x_out)
    return buf[:size]


def _accumulate(out: np.ndarray, empty: np.ndarray, t: np.ndarray, starts: np.ndarray,
                half_life: float) -> None:
    """Running sums along each row, span by span, rescaled to decayed values; empty cells 0."""
    ends = [*starts[1:], len(t)]
    for a, b in zip(starts, ends):
        if a:   # carry the (already decayed and masked) last column of the previous span
            out[:, a] += out[:, a - 1] * np.exp2(-(t[a] - t[a - 1]) / half_life)
        span = out[:, a:b]
        np.cumsum(span, axis=1, out=span)
        span *= np.exp2(-(t[a:b] - t[a]) / half_life)
        np.copyto(span, 0.0, where=empty[:, a:b])


# --------------------------------------------------------------------------------------------
# The compiled path: one pass over each person's offences and one along each person's row


def window_grid(pc, d, w, t, n: int, window: int, half_life: float) -> np.ndarray:
    """The ``(n, len(t))`` grid of decayed window sums, straight from the offences.

    The same score as :func:`risk_grid`, computed by a Numba-compiled kernel when Numba is
    installed (:func:`_grid_kernel`; the NumPy scatter of :func:`risk_grid` otherwise). The
    offences are bucketed by person (a counting sort, linear), then each person's row is the
    recurrence ``R[j] = R[j-1] * 2 ** (-(t[j] - t[j-1]) / H) + entering[j] - leaving[j]``,
    with each entering and leaving value computed from the offence's own age (no shared
    reference day, so no exponent spans), and a count of the offences in the window that makes
    an empty window exactly zero. Scratch memory is one row plus the sorted days and weights
    (16 bytes an offence); the result is the only grid-sized array.

    Parameters
    ----------
    pc : ndarray of int
        Row (person) of each offence; negative: not on the grid (ignored).
    d : ndarray of int
        Day number of each offence.
    w : ndarray of float
        Weight of each offence.
    t : ndarray of int
        Grid day numbers, strictly increasing (at least one).
    n : int
        Number of rows.
    window : int
        ``W``: an offence on day ``d`` is in the window of ``t[j]`` when ``t[j] - W < d <=
        t[j]``.
    half_life : float
        ``H`` (inf: no decay).

    Returns
    -------
    ndarray of float, shape (n, len(t)), C-contiguous
    """
    kernel = _compiled()
    t = np.ascontiguousarray(t, dtype=np.int64)
    if kernel is None:
        j_in = grid_positions(t, d)
        j_out = grid_positions(t, d + window)
        live = (j_in < j_out) & (pc >= 0)
        return risk_grid(pc[live], d[live], w[live], j_in[live], j_out[live], t, n, half_life)
    # one compiled signature: int32 rows (int64 beyond 2**31 people), int64 days, float weights
    rows = np.int32 if n < 2 ** 31 else np.int64
    return kernel(np.ascontiguousarray(pc, dtype=rows), np.ascontiguousarray(d, np.int64),
                  np.ascontiguousarray(w, np.float64), t, int(n), int(window),
                  float(half_life))


_KERNEL: list = []


def _compiled():
    """The compiled kernel (compiled on first use, cached on disk by Numba); None without Numba.

    ``IOM_NO_NUMBA=1`` forces the NumPy path (tests compare the two).
    """
    import os
    if os.environ.get("IOM_NO_NUMBA") == "1":
        return None
    if not _KERNEL:
        try:
            import numba
        except ImportError:  # pragma: no cover - numba is a dependency; kept for odd platforms
            _KERNEL.append(None)
        else:
            _KERNEL.append(numba.njit(cache=True, nogil=True)(_grid_kernel))
    return _KERNEL[0]


def _grid_kernel(pc, d, w, t, n, window, half_life):  # pragma: no cover - compiled by Numba
    """See :func:`window_grid`; plain loops for Numba."""
    m = t.shape[0]
    t0, t1 = t[0], t[m - 1]
    lut = np.empty(t1 - t0 + 2, np.int64)   # lut[x - t0]: grid days strictly before day x
    j = 0
    for x in range(t1 - t0 + 2):
        while j < m and t[j] < t0 + x:
            j += 1
        lut[x] = j
    dec = np.ones(m)
    for j in range(1, m):
        dec[j] = np.exp2(-(t[j] - t[j - 1]) / half_life)
    start = np.zeros(n + 1, np.int64)        # offences bucketed by person (counting sort)
    for i in range(pc.shape[0]):
        if pc[i] >= 0:
            start[pc[i] + 1] += 1
    for p in range(n):
        start[p + 1] += start[p]
    ds = np.empty(start[n], np.int64)        # days and weights in person order
    ws = np.empty(start[n])
    fill = start[:n].copy()
    for i in range(pc.shape[0]):
        if pc[i] >= 0:
            ds[fill[pc[i]]] = d[i]
            ws[fill[pc[i]]] = w[i]
            fill[pc[i]] += 1
    out = np.empty((n, m))
    acc = np.zeros(m + 1)
    cnt = np.zeros(m + 1, np.int64)
    for p in range(n):
        if start[p] == start[p + 1]:
            out[p, :] = 0.0                  # no offences: a row of zeros
            continue
        for k in range(start[p], start[p + 1]):
            di = ds[k]
            j_in = 0 if di < t0 else (m if di > t1 else lut[di - t0])
            de = di + window
            j_out = 0 if de < t0 else (m if de > t1 else lut[de - t0])
            if j_in >= j_out:
                continue                     # in no grid date's window
            acc[j_in] += ws[k] * np.exp2(-(t[j_in] - di) / half_life)
            cnt[j_in] += 1
            if j_out < m:
                acc[j_out] -= ws[k] * np.exp2(-(t[j_out] - di) / half_life)
                cnt[j_out] -= 1
        r = 0.0
        c = 0
        for j in range(m):
            c += cnt[j]
            r = r * dec[j] + acc[j]
            if c == 0:
                r = 0.0                      # an empty window: exactly zero, no residue
            out[p, j] = r
            acc[j] = 0.0
            cnt[j] = 0
    return out
