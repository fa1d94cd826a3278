"""How a CSV file is written: its encoding, its delimiter and its header's names.

Detected from the bytes rather than guessed: the reader says which encoding it used whenever
it was not UTF-8, and which delimiter whenever it was not a comma.
"""

from __future__ import annotations

import codecs
import csv
import re

__all__ = ["ENCODINGS", "ENCODING_NAMES", "DELIMITERS", "detect_encoding", "sniff_delimiter",
           "duplicate_names"]

#: the text encodings CSV files are read in (:func:`detect_encoding` picks one)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "cp1252")
#: how each encoding is named in messages
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM",
                  "gb18030": "GB18030 (GBK, Simplified Chinese)",
                  "cp1252": "Windows-1252 (Western European)"}
#: the CSV delimiters :func:`sniff_delimiter` recognises, the comma first
DELIMITERS = (",", ";", "\t", "|")


def detect_encoding(data: bytes) -> str | None:
    """Return the encoding of a CSV file's bytes: UTF-8 (BOM or not), GB18030 or Windows-1252.

    UTF-8 is taken when the bytes decode as UTF-8. Otherwise GB18030 and Windows-1252 are
    told apart by the shape of the non-ASCII text: Chinese in GB18030 is a run of two bytes
    per character, so read as Windows-1252 it gives runs of two or more accented letters
    ("ÕÅÎ°"), while Western European text has single accented letters between ASCII ones
    ("Jürgen Müller"). The encoding whose reading has most single-letter runs wins.

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    str or None
        A key of :data:`ENCODING_NAMES`, or None when the bytes are none of them.

    Examples
    --------
    >>> detect_encoding("Jürgen Müller".encode("cp1252")), detect_encoding("张伟".encode("gbk"))
    ('cp1252', 'gb18030')
    >>> detect_encoding("Zoë".encode("utf-8-sig")), detect_encoding("Zoë".encode())
    ('utf-8-sig', 'utf-8')
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    can = []
    for enc in ("gb18030", "cp1252"):
        try:
            data.decode(enc)
            can.append(enc)
        except UnicodeDecodeError:
            continue
    if len(can) < 2:
        return can[0] if can else None
    runs = re.findall(r"[^\x00-\x7f]+", data.decode("cp1252"))
    single = sum(len(r) == 1 for r in runs)
    return "cp1252" if 2 * single > len(runs) else "gb18030"


def sniff_delimiter(header: str) -> str:
    """Return the delimiter of a CSV file from its header line: the one that splits it most.

    Parameters
    ----------
    header : str
        The file's first line.

    Returns
    -------
    str
        One of :data:`DELIMITERS`; the comma when no delimiter splits the line or on a tie.

    Examples
    --------
    >>> sniff_delimiter("date;rep;amount"), sniff_delimiter("date,rep,amount"), sniff_delimiter("x")
    (';', ',', ',')
    """
    best, most = ",", 0
    for d in DELIMITERS:
        n = len(next(csv.reader([header], delimiter=d), [])) - 1
        if n > most:
            best, most = d, n
    return best


def duplicate_names(names: list[str]) -> dict[str, list[int]]:
    """Return each header name given to more than one column, with the columns' positions.

    Parameters
    ----------
    names : list of str
        The header's names, stripped, in order.

    Returns
    -------
    dict of str to list of int
        Name -> the 1-based positions of its columns (A = 1), for the names that repeat.

    Examples
    --------
    >>> duplicate_names(["date", "amount", "rep", "amount"])
    {'amount': [2, 4]}
    """
    where: dict[str, list[int]] = {}
    for i, n in enumerate(names, start=1):
        where.setdefault(n, []).append(i)
    return {n: pos for n, pos in where.items() if len(pos) > 1 and n}
