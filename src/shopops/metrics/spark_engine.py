"""The master table on Apache Spark: the same plan, transpiled, over a Parquet export of the warehouse.

``shopops export parquet DIR`` writes the warehouse's tables (Hive-partitioned by shop and month,
with a manifest); :class:`SparkEngine` registers each table as a view over the files the manifest
names, transpiles each step of a :class:`~shopops.metrics.engine.Plan` from DuckDB SQL to Spark
SQL with sqlglot (:mod:`shopops.metrics.spark_sql`) and materialises it, so every formula stays
defined once. PySpark is optional (``pip install 'shopops[spark]'``, Java 17); it is imported only
when an engine starts.

``master`` is any Spark master URL — ``local[2]``, ``spark://host:7077``, ``yarn``, ``k8s://…`` — or
a Spark Connect address (``sc://host:15002``); ``None`` takes the one ``spark-submit`` (or
spark-defaults.conf) gives. The export's root may be a local folder or any URL
Spark reads (``hdfs://``, ``s3a://`` …); the manifest is read through Spark there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from shopops.errors import UserError
from shopops.metrics.engine import Plan
from shopops.metrics.spark_sql import spark_schema, to_spark_sql
from shopops.warehouse.parquet_manifest import MANIFEST_NAME, Manifest, manifest_from_json, read_manifest

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Settings for a session ShopOps starts itself (a session that already runs keeps its own).
DEFAULT_CONFIG = {
    "spark.app.name": "shopops",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",  # exported timestamps carry no zone: read them as written
    "spark.sql.ansi.enabled": "true",  # an overflow is an error, as in DuckDB, not a silent null
}
# A local master works on one machine's cores: fewer shuffle partitions than a cluster's 200.
LOCAL_CONFIG = {"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "2g"}
PARALLEL_STEPS = 4
_LOG_CONFIG = Path(__file__).with_name("spark_log4j2.properties")


class SparkEngine:
    """Runs master-table plans on a Spark session over the Parquet export at ``parquet_root``."""

    name = "spark"

    def __init__(
        self,
        parquet_root: Path | str,
        master: str | None = "local[2]",
        config: Mapping[str, str] | None = None,
    ) -> None:
        self.parquet_root = str(parquet_root)
        self.master = master
        self.config = dict(config or {})
        self._session: SparkSession | None = None
        self._registered: str | None = None  # exported_at of the manifest whose tables are views
        self._owned = False  # whether close() stops the session (not one shared with its owner)

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._session is not None:
            if self._owned:
                self._session.stop()
            self._session = None
            self._registered = None

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._session, self._owned = _start(self.master, self.config)
        return self._session

    def run(self, plan: Plan, scratch: Mapping[str, pa.Table]) -> pl.DataFrame:
        session = self.session
        self._register_tables(session)
        for name, table in scratch.items():
            _frame_of(session, table).createOrReplaceTempView(name)
        first, rest = plan.steps[: plan.independent], plan.steps[plan.independent :]
        # The providers are independent: submitted together, Spark overlaps their many small jobs.
        with ThreadPoolExecutor(max_workers=PARALLEL_STEPS) as pool:
            list(pool.map(lambda step: _materialise(session, *step), first))
        for name, sql in rest:
            _materialise(session, name, sql)
        result = session.sql(to_spark_sql(plan.final)).toArrow()
        return pl.DataFrame(pl.from_arrow(result))

    def manifest(self) -> Manifest:
        if "://" not in self.parquet_root or self.parquet_root.startswith("file://"):
            return read_manifest(Path(self.parquet_root.removeprefix("file://")))
        path = f"{self.parquet_root.rstrip('/')}/{MANIFEST_NAME}"
        try:
            text = self.session.read.option("wholetext", "true").text(path).first()
        except Exception as error:  # Spark's own exception tree; say where and what in one line
            raise UserError(
                f"no ShopOps Parquet export at {self.parquet_root} ({_first_line(error)}) —"
                " write one with `shopops export parquet DIR` and copy it there"
            ) from error
        return manifest_from_json(json.loads(text[0]) if text else {}, self.parquet_root)

    def _register_tables(self, session: SparkSession) -> None:
        manifest = self.manifest()
        if self._registered == manifest.exported_at:
            return
        root = self.parquet_root.rstrip("/")
        for table in manifest.tables.values():
            schema = spark_schema(table.columns, table.partition_by)
            files = [f"{root}/{p.path}" for p in table.partitions]
            frame: DataFrame
            if files:
                reader = session.read.schema(schema).option("basePath", root + "/" + table.name)
                frame = reader.parquet(*files)
                if "month" in table.partition_by:
                    frame = frame.drop("month")  # a layout column, not one of the table's
                frame = frame.select(*[f"`{name}`" for name, _ in table.columns])
            else:
                frame = session.createDataFrame([], spark_schema(table.columns, ()))
            frame.createOrReplaceTempView(table.name)
        self._registered = manifest.exported_at


def _start(master: str | None, config: Mapping[str, str]) -> tuple[SparkSession, bool]:
    """A session, and whether this engine owns it (else it stops another's context)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pyspark's note on the pandas version
            from pyspark import SparkConf, SparkContext
            from pyspark.java_gateway import launch_gateway
            from pyspark.sql import SparkSession
    except ImportError as error:
        raise UserError(
            "the Spark engine needs PySpark — install it with `pip install 'shopops[spark]'`"
            " (and Java 17: `apt-get install openjdk-17-jre-headless`)"
        ) from error
    settings: dict[str, str] = dict(DEFAULT_CONFIG)
    if (master or "").startswith("local"):
        settings.update(LOCAL_CONFIG)
    settings.update(config)
    remote = master if master is not None and master.startswith("sc://") else None
    if remote is None and "spark.driver.extraJavaOptions" not in settings:
        # Spark's start-up WARN lines are for its operators, not for someone reading a 总表.
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile=file:{_LOG_CONFIG}"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    log = Path(tempfile.gettempdir()) / f"shopops-spark-{os.getpid()}.log"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            if remote is not None:
                builder = SparkSession.builder.remote(remote)
                for key, value in settings.items():
                    builder = builder.config(key, value)
                return builder.getOrCreate(), True
            active = SparkContext._active_spark_context
            if active is not None:  # a context this process already runs (a notebook, a test): share it
                return _sql_settings(SparkSession(active), settings), False
            conf = SparkConf().setAll(list(settings.items()))
            if master is not None:
                conf.setMaster(master)
            gateway = SparkContext._gateway  # the JVM an earlier engine of this process started
            if gateway is None:
                with log.open("ab") as sink:
                    # The JVM's own console output goes to a file, named in the error if it fails.
                    gateway = launch_gateway(conf, popen_kwargs={"stdout": sink, "stderr": sink})  # type: ignore[no-untyped-call]
            return _sql_settings(SparkSession(SparkContext(conf=conf, gateway=gateway)), settings), True
    except Exception as error:
        raise UserError(
            f"could not start Spark at {master or 'spark-submit'} ({_first_line(error)}) — check `java -version`"
            f" (17 or newer), the --spark-master URL and Spark's log {log}"
        ) from error


def _sql_settings(session: SparkSession, settings: Mapping[str, str]) -> SparkSession:
    """The SQL settings are the session's own, also on a shared context (UTC, ANSI …)."""
    for key, value in settings.items():
        if key.startswith("spark.sql."):
            session.conf.set(key, value)
    return session


def _materialise(session: SparkSession, name: str, sql: str) -> None:
    """Runs one step and keeps its result (lineage cut) as the view ``name`` for the steps after it."""
    session.sql(to_spark_sql(sql)).localCheckpoint(eager=True).createOrReplaceTempView(name)


def _frame_of(session: SparkSession, table: pa.Table) -> DataFrame:
    if table.num_rows == 0:
        return session.createDataFrame([], _arrow_schema_ddl(table.schema))
    return session.createDataFrame(table)


def _arrow_schema_ddl(schema: pa.Schema) -> str:
    names = {
        pa.string(): "STRING",
        pa.date32(): "DATE",
        pa.int64(): "BIGINT",
        pa.int32(): "INT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
    }
    parts = []
    for field in schema:
        kind = (
            f"DECIMAL({field.type.precision}, {field.type.scale})"
            if pa.types.is_decimal(field.type)
            else names.get(field.type, "STRING")
        )
        parts.append(f"`{field.name}` {kind}")
    return ", ".join(parts)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
