"""The SQL the BigQuery connector sends: read from `sql/connectors/`, the placeholder table
swapped for the source's table by sqlglot (an identifier in the tree, never pasted text)."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from finops_pipeline.warehouse import read_sql

PLACEHOLDER = "billing_export_table"


def bigquery_sql(name: str, table_id: str, columns: dict[str, exp.Expression] | None = None) -> str:
    """`sql/connectors/<name>.sql` for `project.dataset.table`, in BigQuery's dialect.

    `columns` swaps placeholder columns for expressions (an optional column of a FOCUS view,
    or a NULL when the view lacks it), again in the tree rather than by pasting text.
    """
    tree = sqlglot.parse_one(read_sql(f"connectors/{name}.sql"), read="bigquery")
    for node in list(tree.find_all(exp.Column)):
        if columns and node.name in columns and not node.table:
            node.replace(columns[node.name].copy())
    project, dataset, table = table_id.split(".")
    target = exp.Table(
        this=exp.to_identifier(table, quoted=True),
        db=exp.to_identifier(dataset, quoted=True),
        catalog=exp.to_identifier(project, quoted=True),
    )
    for node in list(tree.find_all(exp.Table)):
        if node.name == PLACEHOLDER:
            node.replace(target.copy())
    # Without the header comments: bqemulator counts an @name inside a comment as a parameter.
    return tree.sql(dialect="bigquery", comments=False)


def partition_filters(sql: str, column: str = "_PARTITIONTIME") -> list[exp.Expression]:
    """The WHERE conditions on `column` (what keeps a query bounded): _PARTITIONTIME for the
    billing export, BillingPeriodStart for a FOCUS view."""
    tree = sqlglot.parse_one(sql, read="bigquery")
    where = tree.find(exp.Where)
    if where is None:
        return []
    return [
        cond
        for cond in where.find_all(exp.GTE, exp.GT, exp.Between, exp.EQ)
        if any(c.name.upper() == column.upper() for c in cond.find_all(exp.Column))
    ]
