"""The Spark engine (``--engine spark``): the same compiled rules, in Spark SQL, for logs that outgrow one machine.

Reads the files with Spark's JSON reader and the same explicit schema (:mod:`iamwarden.collect.cloudtrail_schema`:
scalars and free-form JSON parts as strings), tests every rule's Spark SQL predicate (written by
:class:`~iamwarden.detections.sql_backend.SparkSQLBackend` from the same pySigma rules) in one projection, and keeps a
lean copy of the records (every column only for the records a rule matched, as the DuckDB engine does). Three Spark
jobs read that copy: the read's accounting, the first-seen candidates, and the matched records, which come back to
the driver over Arrow into the tables of :class:`~iamwarden.detections.duckdb_engine.HitsTable`, so that the alerts
are built from the same answers as with DuckDB. ``--spark-master`` names a cluster; without it Spark runs in local
mode.

Spark's own logging goes through ``spark-log4j2.properties`` (beside this module): during start-up, warnings on
stderr less two notices that say nothing about the run (see the file); once the session is up, errors only. The JVM
itself still prints ``WARNING: Using incubator modules: jdk.incubator.vector`` (Spark's launcher adds that module; the
JVM has no switch to silence the notice).

Bad input: each file's shape is sniffed first (a file that cannot be opened is counted, as with DuckDB); Spark reads
the rest in PERMISSIVE mode, and a record that did not parse (``_corrupt_record``) or lacks its source, name or time is
counted per file and reason. A file Spark cannot read to its end (a gzip file cut short, or not gzip) is skipped from
there on (``spark.sql.files.ignoreCorruptFiles``) instead of failing the job, and counted with the DuckDB engine's
reason: the files that yielded nothing, and gzip JSON Lines files, are checked again in Python.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from iamwarden.collect.cloudtrail import TRUNCATED, ReadReport, TrailFilter, _reason, cut_short, file_shape
from iamwarden.collect.cloudtrail_schema import RECORD, Field
from iamwarden.detections.duckdb_engine import HitsTable
from iamwarden.detections.hits import KEPT_COLUMNS, firsts_sql, matches_sql
from iamwarden.detections.rules import CompiledRule

LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")
DRIVER_LISTING = 1_000_000
"""In local mode, files up to this many are listed by the driver (Spark's default: a distributed job beyond 32)."""


def _spark_type(field: Field) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    if isinstance(field, str):
        return StringType()
    return StructType([StructField(k, _spark_type(v), True) for k, v in field.items()])


class SparkHits(HitsTable):
    def __init__(self, rules: Sequence[CompiledRule], master: str | None = None) -> None:
        from pyspark.sql import SparkSession

        super().__init__(rules)
        builder = (
            SparkSession.builder.master(master or "local[2]")
            .appName("iamwarden-detect")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.files.ignoreCorruptFiles", "true")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}")
        )
        if master is None:
            # the files are named one by one, a status call each, which Spark runs as a distributed job beyond 32
            # paths: in local mode the driver lists them faster (1,000 local files: 5.1 s as a job, 1.3 s)
            builder = builder.config("spark.sql.sources.parallelPartitionDiscovery.threshold", str(DRIVER_LISTING))
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")

    def _read(self, shape: str, paths: list[str]) -> Any:
        from pyspark.sql import functions as F
        from pyspark.sql.types import ArrayType, StringType, StructField, StructType

        record = _spark_type(RECORD)
        # JSON is UTF-8 (RFC 8259, and CloudTrail writes it so). Said explicitly, Spark reads a whole-file document
        # through a buffered reader; left to detect the encoding, it read an uncompressed file 18 times slower than
        # the same file gzipped (200 files of 1,000 records: 22.7 s against 1.3 s)
        reader = (
            self.spark.read.option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt_record")
            .option("encoding", "UTF-8")
        )
        if shape == "records":
            schema = StructType(
                [StructField("Records", ArrayType(record)), StructField("_corrupt_record", StringType())]
            )
            frame = reader.schema(schema).option("multiLine", True).json(paths)
            frame = frame.select(
                F.input_file_name().alias("_file"),
                F.col("_corrupt_record"),
                F.explode_outer("Records").alias("r"),
            ).select("_file", "_corrupt_record", "r.*")
        else:
            schema = StructType([*record.fields, StructField("_corrupt_record", StringType())])
            frame = reader.schema(schema).option("multiLine", shape == "array").json(paths)
            frame = frame.select(F.input_file_name().alias("_file"), "*")
        # what a corrupt record is, in the DuckDB engine's words: a line of JSON Lines, else the whole document
        return frame.withColumn("_not_json", F.lit("line that is not JSON" if shape == "lines" else "not JSON"))

    def scan(
        self,
        files: Iterable[Path],
        where: TrailFilter | None = None,
        report: ReadReport | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ReadReport:
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        report = report if report is not None else ReadReport()
        where = where or TrailFilter()
        by_shape: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for path in files:
            report.files += 1
            try:
                by_shape.setdefault(file_shape(path), []).append(path.resolve().as_uri())
                names[path.resolve().as_uri()] = str(path)
            except (OSError, EOFError, ValueError, zlib.error) as exc:
                report.add(str(path), _reason(exc))
            if progress is not None:
                progress(1)
        frames = [self._read(shape, paths) for shape, paths in by_shape.items()]
        if not frames:
            self._create_empty()
            return report
        frame = frames[0]
        for other in frames[1:]:
            frame = frame.unionByName(other)
        frame = frame.withColumn("_time", F.try_to_timestamp("eventTime"))  # NULL, not a failed job (ANSI mode)
        reason = (
            F.when(F.col("_corrupt_record").isNotNull(), F.col("_not_json"))
            .when(
                F.col("eventSource").isNull() | F.col("eventName").isNull(), "record without eventSource or eventName"
            )
            .when(F.col("eventTime").isNull(), "record without eventTime")
            .when(F.col("_time").isNull(), "record whose eventTime is not a date and time")
        )
        keep = F.lit(True)
        if where.since is not None:
            keep = keep & (F.col("_time") >= F.lit(where.since))
        if where.until is not None:
            keep = keep & (F.col("_time") <= F.lit(where.until))
        if where.accounts:
            keep = keep & F.coalesce("recipientAccountId", "userIdentity.accountId").isin(sorted(where.accounts))
        if where.regions:
            keep = keep & F.col("awsRegion").isin(sorted(where.regions))
        frame = frame.withColumn("_bad", reason)
        frame = frame.withColumn("_keep", F.col("_bad").isNull() & F.coalesce(keep, F.lit(False)))
        frame = frame.withColumn(
            "_m",
            F.when(F.col("_keep"), F.expr(matches_sql(self.rules, "spark", by_event_name=True))).otherwise(
                F.array().cast("array<int>")
            ),
        )
        matched = F.size("_m") > 0
        lean = frame.select(
            "_file",
            "_bad",
            "_keep",
            "_m",
            *(F.col(k) if k in KEPT_COLUMNS else F.when(matched, F.col(k)).alias(k) for k in RECORD),
            "_time",
        ).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            read: set[str] = set()
            for row in lean.groupBy("_file", "_bad", "_keep").count().collect():
                file, bad, kept, count = names.get(row["_file"], row["_file"]), row["_bad"], row["_keep"], row["count"]
                read.add(file)
                if bad is not None:
                    report.add(file, bad, int(count))
                elif kept:
                    report.records += int(count)
                else:
                    report.filtered += int(count)
            lost = _cut_files(by_shape, names, read, report)
            report.files_read += sum(len(p) for p in by_shape.values()) - lost
            lean.where("_keep").createOrReplaceTempView("iamwarden_records")
            self.con.register("spark_seen", self.spark.sql(firsts_sql("spark", "iamwarden_records")).toArrow())
            self.con.execute("CREATE TEMP TABLE seen AS SELECT * FROM spark_seen")
            hits = lean.where(matched).select(
                F.explode("_m").alias("_rule"), "_file", *(F.col(k) for k in RECORD), "_time"
            )
            self.con.register("spark_hits", hits.toArrow())
            self.con.execute("CREATE TEMP TABLE hits AS SELECT * FROM spark_hits")
            self.con.unregister("spark_hits")
            self.con.unregister("spark_seen")
        finally:
            lean.unpersist()
        return report


def _cut_files(by_shape: dict[str, list[str]], names: dict[str, str], read: set[str], report: ReadReport) -> int:
    """Count the files Spark could not read to their end (it skips the rest of a corrupt file:
    ``spark.sql.files.ignoreCorruptFiles``), with the reasons the DuckDB engine gives; how many yielded nothing.

    A whole-document file (``{"Records": [...]}``, an array) that is cut or not gzip yields no row at all, so only
    the files without rows are read again here; a gzip JSON Lines file may yield the lines before its cut, so each
    is checked (not CloudTrail's own layout, which is whole documents)."""
    lost = 0
    for shape, uris in by_shape.items():
        for uri in uris:
            file = names[uri]
            if file in read and not (shape == "lines" and file.lower().endswith(".gz")):
                continue
            try:
                cut = cut_short(Path(file))
            except OSError as exc:
                report.add(file, _reason(exc))
                lost += 1
                continue
            if cut:
                report.add(file, TRUNCATED)
                lost += file not in read
    return lost
