"""Keyed pseudonyms for restricted reports, the pseudonym key, and identifier scans.

:func:`pseudonymise` replaces identifiers by keyed, stable pseudonyms (HMAC-SHA256);
:func:`pseudonym_key` finds the key (``IOM_PSEUDONYM_KEY`` or the file named by
``IOM_PSEUDONYM_KEY_FILE``) and :func:`new_key_file` creates a key file; and
:func:`scan_for_identifiers` lists the identifiers that appear in an output file.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from iomlib.errors import ParameterError

#: Identifier columns of the data model and the prefix of their pseudonyms.
IDENTIFIER_COLUMNS = {"person_id": "N-", "survivor_id": "S-", "offence_id": "O-",
                      "victim_id": "V-", "episode_id": "E-"}
#: Environment variables holding the pseudonym key, or the path of a file holding it.
KEY_ENV = "IOM_PSEUDONYM_KEY"
KEY_FILE_ENV = "IOM_PSEUDONYM_KEY_FILE"


def _key_bytes(key) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)) or len(key) == 0:
        raise ParameterError("pseudonymise: expected a non-empty key (str or bytes); keep it "
                             "secret and out of the repository")
    return bytes(key)


def pseudonymise(values, key, *, prefix: str = "N-", length: int = 10):
    """Keyed, stable pseudonyms: ``prefix`` + the first ``length`` hex digits of HMAC-SHA256.

    Parameters
    ----------
    values : str, or iterable / Series of identifiers
        Identifiers (anything else is turned into text first); missing values stay missing.
    key : str or bytes
        The secret key. The same value and key always give the same pseudonym; another key
        gives unrelated pseudonyms, and without the key they cannot be reversed or recomputed.
    prefix : str, default "N-"
        E.g. ``"N-"`` for nominals, ``"S-"`` for survivors.
    length : int, default 10
        Hex digits kept (4 to 64). Ten digits (40 bits) keep collisions improbable for a
        national dataset; a collision within one call is refused rather than merging people.

    Returns
    -------
    str, list of str, or Series
        Same shape as ``values`` (a Series keeps its index).

    Raises
    ------
    ParameterError
        Empty key, bad ``length``, or two different identifiers given the same pseudonym.

    Examples
    --------
    >>> pseudonymise("P0001", "secret")
    'N-29b3420f6f'
    """
    k = _key_bytes(key)
    if isinstance(length, bool) or not isinstance(length, int) or not 4 <= length <= 64:
        raise ParameterError(f"pseudonymise: length={length!r}: expected 4 to 64 hex digits")

    def one(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return v
        digest = hmac.new(k, str(v).encode("utf-8"), hashlib.sha256).hexdigest()
        return prefix + digest[:length]

    if isinstance(values, (str, bytes)) or np.isscalar(values) or values is None:
        return one(values.decode() if isinstance(values, bytes) else values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    uniq = pd.unique(series.dropna().astype(str))
    mapping = {u: one(u) for u in uniq}
    if len(set(mapping.values())) != len(mapping):
        raise ParameterError(f"pseudonymise: two identifiers got the same pseudonym with "
                             f"length={length}; use more digits")
    out = series.map(lambda v: v if v is None or (not isinstance(v, str) and pd.isna(v))
                     else mapping[str(v)])
    return out if isinstance(values, pd.Series) else out.tolist()


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def scan_for_identifiers(text: str, identifiers: Iterable[str], *,
                         ignore_data_uris: bool = True) -> set[str]:
    """The identifiers that occur in ``text`` as whole tokens.

    Parameters
    ----------
    text : str
        E.g. the contents of a report (HTML, CSV, JSON, notebook).
    identifiers : iterable of str
        Every identifier that must not appear (``person_id``, ``survivor_id``, ``offence_id``,
        ``victim_id``, ... values).
    ignore_data_uris : bool, default True
        Skip base64 ``data:`` URIs (embedded images), in which short identifiers would otherwise
        turn up by chance.

    Returns
    -------
    set of str
        The identifiers found.

    Notes
    -----
    An identifier counts as found when it is a maximal run of the characters identifiers are
    made of (so ``P0001`` is not found inside ``P00012``), or a part of such a run split at a
    punctuation character (``P0001-P0002`` finds both). The text is scanned once with one
    character-class regex and the runs are intersected with the identifier set, so the cost is
    linear in the text and does not grow with the number of identifiers. Identifiers that are
    plain numbers will match any equal number in the text: such hits are real risks to review.
    """
    ids = {str(i) for i in identifiers if i is not None and str(i) != ""}
    if not ids or not text:
        return set()
    if ignore_data_uris:
        text = _DATA_URI.sub(" ", text)
    alphabet = set().union(*ids)
    if any(ch.isspace() for ch in alphabet):      # ids with spaces: fall back to plain search
        spaced = {i for i in ids if any(ch.isspace() for ch in i)}
        found = {i for i in spaced if i in text}
        ids -= spaced
        alphabet = set().union(*ids) if ids else set()
    else:
        found = set()
    if not ids:
        return found
    klass = "[" + "".join(re.escape(ch) for ch in sorted(alphabet)) + "]+"
    punct = re.compile(r"[^0-9A-Za-z]")
    for run in re.findall(klass, text):
        if run in ids:
            found.add(run)
        seps = [m.start() for m in punct.finditer(run)]
        if not seps:
            continue
        bounds = [-1] + seps + [len(run)]
        for a in range(len(bounds) - 1):          # every contiguous part between separators
            for b in range(a + 1, min(len(bounds), a + 8)):
                part = run[bounds[a] + 1: bounds[b]]
                if part in ids:
                    found.add(part)
    return found


# --------------------------------------------------------------------------------------------
# the pseudonym key


def new_key_file(path: str | Path) -> Path:
    """Create a pseudonym key file (64 random hex digits, owner-only permissions) if absent.

    Parameters
    ----------
    path : str or Path
        Where the key lives. An existing file is left as it is, so pseudonyms stay stable from
        one run to the next.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        The file cannot be created.
    """
    path = Path(path)
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    except FileExistsError:       # another run made it first
        pass
    except OSError as exc:
        raise ParameterError(f"pseudonym key file {path}: cannot create it ({exc.strerror})") \
            from None
    return path


def pseudonym_key(environ: Mapping[str, str] | None = None) -> tuple[bytes | None, str]:
    """The key for pseudonyms, and where it came from.

    Looked up in this order: the environment variable ``IOM_PSEUDONYM_KEY`` (the key itself),
    then ``IOM_PSEUDONYM_KEY_FILE`` (a file holding it; ``iom report`` sets this to
    ``<out>/.pseudonym-key``, created on the first restricted run). Without either there is no
    stable key: ``(None, reason)``, and :class:`Disclosure` makes a key for the session only.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    key : bytes or None
    source : str
        A description for the report (never the key).

    Raises
    ------
    ParameterError
        ``IOM_PSEUDONYM_KEY_FILE`` names a file that is missing, unreadable or empty.
    """
    env = os.environ if environ is None else environ
    if env.get(KEY_ENV):
        return env[KEY_ENV].encode("utf-8"), f"the environment variable {KEY_ENV}"
    if env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV])
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise ParameterError(f"{KEY_FILE_ENV}={path}: cannot read the pseudonym key file "
                                 f"({exc.strerror})") from None
        if not key:
            raise ParameterError(f"{KEY_FILE_ENV}={path}: the pseudonym key file is empty")
        return key, f"the key file named by {KEY_FILE_ENV}"
    return None, (f"neither {KEY_ENV} nor {KEY_FILE_ENV} is set: pseudonyms are stable within "
                  "this session only")
