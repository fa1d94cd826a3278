"""The canonical tables, declared once: column names, dtypes, required or optional.

Everything after :mod:`salesnb.io` works on these shapes only. ``kind`` is one of
``date`` (datetime64, day precision), ``str`` (pandas ``object`` strings),
``float`` (float64) or ``period`` (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` text).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "TableSchema", "SCHEMAS", "SALES", "TARGETS", "ORG",
           "OPPORTUNITIES", "SPEND", "SATISFACTION", "LEVELS", "METRICS", "CUBE_COLUMNS",
           "DIGEST_TABLES", "DIGEST_NEEDS"]

LEVELS = ("company", "team", "rep")
METRICS = ("amount", "quantity", "new_customers")


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind (date, str, float, period) and whether it is required.

    ``not_empty`` columns must be filled in on every row; ``help`` is shown by ``salesnb``
    commands and in messages.
    """

    name: str
    kind: str
    required: bool = False
    help: str = ""
    not_empty: bool = False


@dataclass(frozen=True)
class TableSchema:
    """One canonical table: its name and columns, in the order the loaded frame keeps."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        """The column names, in schema order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """The required column names, in schema order."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """Return the column called ``name`` (KeyError when the table has none).

        Parameters
        ----------
        name : str
            The column's canonical name.
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SALES = TableSchema(
    "sales",
    (
        Column("date", "date", True, "day of the sale (order date)"),
        Column("rep", "str", True, "sales representative", not_empty=True),
        Column("amount", "float", True, "money; negative for returns"),
        Column("team", "str", False, "required unless the org table gives it", not_empty=True),
        Column("customer_id", "str"),
        Column("product", "str"),
        Column("category", "str"),
        Column("quantity", "float"),
        Column("order_id", "str"),
        Column("region", "str"),
        Column("channel", "str"),
    ),
)

TARGETS = TableSchema(
    "targets",
    (
        Column("period", "period", True, "YYYY, YYYY-Qn or YYYY-MM (fiscal)"),
        Column("level", "str", True, "company, team or rep", not_empty=True),
        Column("unit", "str", True, "name of the company, team or rep", not_empty=True),
        Column("metric", "str", True, "amount, quantity or new_customers", not_empty=True),
        Column("target", "float", True, "target value for the period"),
    ),
)

ORG = TableSchema(
    "org",
    (
        Column("rep", "str", True, "sales representative", not_empty=True),
        Column("team", "str", True, "team the rep belongs to", not_empty=True),
        Column("region", "str"),
        Column("start", "date", False, "first day in this team (empty: always)"),
        Column("end", "date", False, "last day in this team (empty: still there)"),
        Column("title", "str", False, "job title, shown with reporting lines"),
        Column("manager", "str", False, "the rep's manager, another rep's name (reporting "
               "lines in the company report)"),
        Column("email", "str", False, "the rep's e-mail address (salesnb send)"),
    ),
)

OPPORTUNITIES = TableSchema(
    "opportunities",
    (
        Column("opportunity_id", "str", True, not_empty=True),
        Column("created", "date", True),
        Column("stage", "str", True, "pipeline stage reached (or Won / Lost)", not_empty=True),
        Column("amount", "float", True),
        Column("team", "str"),
        Column("rep", "str"),
        Column("expected_close", "date"),
        Column("closed", "date"),
        Column("outcome", "str", False, "won, lost or empty while open"),
    ),
)

SPEND = TableSchema(
    "spend",
    (
        Column("month", "str", True, "YYYY-MM"),
        Column("team", "str", True, not_empty=True),
        Column("spend", "float", True, "sales and marketing spend"),
    ),
)

SATISFACTION = TableSchema(
    "satisfaction",
    (
        Column("date", "date", True),
        Column("customer_id", "str", True),
        Column("score", "float", True, "satisfaction score (1-5)"),
        Column("team", "str"),
        Column("rep", "str"),
    ),
)

SCHEMAS = {s.name: s for s in (SALES, TARGETS, ORG, OPPORTUNITIES, SPEND, SATISFACTION)}

#: the monthly cube (:func:`salesnb.cube.build_cube`): month x team x rep x category
CUBE_COLUMNS = ["month", "team", "rep", "category", "amount", "quantity", "lines", "new_customers"]

#: the sales digest's tables and their columns: the contract shared by the pandas digest
#: (:func:`salesnb.cube.digest`), the DuckDB scan and the SQL pushdown
DIGEST_TABLES = {
    "daily": ["date", "team", "rep", "amount", "quantity", "lines"],
    "customer_monthly": ["date", "team", "rep", "customer_id", "amount", "quantity"],
    "product_monthly": ["date", "team", "product", "category", "amount", "quantity"],
    "cube": CUBE_COLUMNS,
}

#: sales columns the digest engines (DuckDB scan, SQL pushdown) need beyond
#: ``SALES.required``: they aggregate where the rows live and do not join an org table
DIGEST_NEEDS = ("team",)
