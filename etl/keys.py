"""Event keys for rows whose natural key is damaged or missing: derived from the row's content.

Why: a spreadsheet turns `20080000123456` into `2.008E+13` and some exports leave the key
empty (1,154 of 13,771 rows of one Fire 911 file). The event is still real and fully usable for
counts, so rejecting it would undercount; only its identity is lost. Such a row gets
`event_key = 'D:' || md5(its canonical content)` and `key_quality = 'derived'` (else
'source'). Content = every canonical column the row loads (event time, category, codes,
coordinates, the dataset's own columns; not the bookkeeping columns), so the same event read
twice, from the same file or from another format of it, gets the same key and counts once.

What is lost, said plainly (docs/SCHEMA.md): a later revision of such a row (any value changed)
has other content, so it cannot be matched to the stored row and both are kept; two distinct
events with identical content in every published column count once.
"""
from __future__ import annotations

# A number Excel re-wrote in scientific notation: its digits are gone.
MANGLED = r"^-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$"
DERIVED_PREFIX = "D:"


def damaged_sql(key_fields: list[str], src_key: str = "_src_key") -> str:
    """SQL (over the staged row, raw fields as `f.<field>`) true when the key cannot be trusted."""
    conds = [f"{src_key} IS NULL"]
    # LIKE first: the regular expression runs only on the rare value that has an E in it
    conds += [f"(f.{k} ILIKE '%e%' AND regexp_matches(f.{k}, '{MANGLED}'))" for k in key_fields]
    return " OR ".join(conds)


def content_sql(columns: list[str]) -> str:
    """md5 over the canonical columns, NULL kept apart from empty text."""
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in columns)
    return f"md5(concat_ws(chr(31), {parts}))"


def key_columns_sql(key_fields: list[str], content: list[str]) -> list[str]:
    """`event_key` and `key_quality` select items for a level whose input has `_src_key`."""
    bad = damaged_sql(key_fields)
    return [f"CASE WHEN {bad} THEN '{DERIVED_PREFIX}' || {content_sql(content)} ELSE _src_key END AS event_key",
            f"CASE WHEN {bad} THEN 'derived' ELSE 'source' END AS key_quality"]


def upgrade_bookkeeping(con) -> None:
    """load_log columns newer than a warehouse built before them (older rows: 0 / none / csv)."""
    for col, typ, default in (("rows_derived_key", "BIGINT", "0"), ("absent_columns", "VARCHAR[]", "[]"),
                              ("format", "VARCHAR", "'csv'")):
        con.execute(f"ALTER TABLE load_log ADD COLUMN IF NOT EXISTS {col} {typ} DEFAULT {default}")


def add_missing_columns(con, table: str, schema: dict[str, str]) -> None:
    """Columns the adapter declares that an older warehouse's table lacks (key_quality: 'source',
    since an older load rejected every row whose key was damaged)."""
    have = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                                      [table]).fetchall()}
    for col, typ in schema.items():
        if col not in have:
            default = " DEFAULT 'source'" if col == "key_quality" else ""
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{col}" {typ}{default}')
