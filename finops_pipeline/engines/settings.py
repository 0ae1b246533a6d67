"""The `engine:`, `spark:` and `lake:` keys of finops.yaml, validated.

DuckDB is the default and needs none of them. `engine: spark` builds every table on Spark
and stores it in a Parquet lake (`lake:`, a folder or a URI Spark can write), which DuckDB
reads through views so `finops sql`, the report and the notebooks query it the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EngineName = Literal["duckdb", "spark"]


class SparkSettings(BaseModel):
    """How to reach Spark: `master` is `local[N]`, `spark://host:7077` (standalone)
    or `yarn` (EMR, Dataproc); Spark Connect (`sc://`) is refused for now; `conf`
    is passed to the session as is, after the settings exact money needs (see
    spark_session.REQUIRED_CONF, which `conf` may not override)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    master: str = "local[2]"
    app_name: str = "finops-pipeline"
    conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("master")
    @classmethod
    def _not_connect(cls, master: str) -> str:
        # The engine reads and writes the lake through the JVM's Hadoop file system
        # (spark_engine `_fs`), which a Spark Connect client does not have.
        if master.startswith("sc://"):
            raise ValueError(
                f"{master}: Spark Connect is not supported yet; use a standalone master "
                "(spark://host:7077), yarn, or local[N]"
            )
        return master


class EngineSection(BaseModel):
    """The top-level `engine`, `spark` and `lake` keys (mixed into Settings, so they sit at
    the top of finops.yaml); `settings.execution` hands them to the runner as one section."""

    model_config = ConfigDict(extra="forbid")

    engine: EngineName = "duckdb"
    spark: SparkSettings = Field(default_factory=SparkSettings)
    # Where Spark stores the tables (one folder per table); required with engine: spark.
    lake: str | None = None

    @model_validator(mode="after")
    def _lake_for_spark(self) -> EngineSection:
        if self.engine == "spark" and not self.lake:
            raise ValueError(
                "engine: spark needs lake: (a folder or URI where Spark writes the tables, "
                "e.g. lake: ./finops_lake)"
            )
        return self

    @property
    def execution(self) -> EngineSection:
        return EngineSection.model_construct(engine=self.engine, spark=self.spark, lake=self.lake)
