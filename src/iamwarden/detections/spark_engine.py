"""The Spark engine (``--engine spark``): the same compiled rules, in Spark SQL, for logs that outgrow one machine.

Reads the files with Spark's JSON reader and the same explicit schema (:mod:`iamwarden.collect.cloudtrail_schema`:
scalars and free-form JSON parts as strings), tests every rule's Spark SQL predicate (written by
:class:`~iamwarden.detections.sql_backend.SparkSQLBackend` from the same pySigma rules) in one pass, keeps the matched
records, and answers the same questions as the DuckDB engine (:class:`~iamwarden.detections.hits.Hits`), so alerts
are built by the same code. ``--spark-master`` names a cluster; without it Spark runs in local mode.

Bad input: each file's shape is sniffed first (a file that cannot be opened is counted, as with DuckDB); Spark reads
the rest in PERMISSIVE mode, and a record that did not parse (``_corrupt_record``) or lacks its source, name or time is
counted per file and reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamwarden.collect.cloudtrail import ReadReport, TrailFilter, file_shape
from iamwarden.collect.cloudtrail_schema import RECORD, Field
from iamwarden.detections.hits import IDENTITY_SQL, FirstSeen, HitGroup, HitRow, first_seen_of, firsts_sql, record_of
from iamwarden.detections.rules import CompiledRule

_IDENTITY = IDENTITY_SQL["spark"]


def _spark_type(field: Field) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    if isinstance(field, str):
        return StringType()
    return StructType([StructField(k, _spark_type(v), True) for k, v in field.items()])


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SparkHits:
    dialect = "spark"

    def __init__(self, rules: Sequence[CompiledRule], master: str | None = None) -> None:
        from pyspark.sql import SparkSession

        self.rules = list(rules)
        self.spark = (
            SparkSession.builder.master(master or "local[2]")
            .appName("iamwarden-detect")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        self.hits: Any = None
        self._firsts: list[FirstSeen] = []

    def close(self) -> None:
        if self.hits is not None:
            self.hits.unpersist()

    def _read(self, shape: str, paths: list[str]) -> Any:
        from pyspark.sql import functions as F
        from pyspark.sql.types import ArrayType, StringType, StructField, StructType

        record = _spark_type(RECORD)
        reader = self.spark.read.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", "_corrupt_record")
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
        return frame

    def scan(
        self,
        files: Iterable[Path],
        where: TrailFilter | None = None,
        report: ReadReport | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ReadReport:
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
                from iamwarden.collect.cloudtrail import _reason

                report.add(str(path), _reason(exc))
            if progress is not None:
                progress(1)
        frames = [self._read(shape, paths) for shape, paths in by_shape.items()]
        if not frames:
            self.hits = None
            return report
        frame = frames[0]
        for other in frames[1:]:
            frame = frame.unionByName(other)
        frame = frame.withColumn("_time", F.to_timestamp("eventTime"))
        reason = (
            F.when(F.col("_corrupt_record").isNotNull(), F.lit("record that is not JSON"))
            .when(
                F.col("eventSource").isNull() | F.col("eventName").isNull(), "record without eventSource or eventName"
            )
            .when(F.col("eventTime").isNull(), "record without eventTime")
            .when(F.col("_time").isNull(), "record whose eventTime is not a date and time")
        )
        frame = frame.withColumn("_bad", reason).cache()
        for row in frame.where("_bad IS NOT NULL").groupBy("_file", "_bad").count().collect():
            report.add(names.get(row["_file"], row["_file"]), row["_bad"], int(row["count"]))
        good = frame.where("_bad IS NULL").drop("_bad", "_corrupt_record")
        keep = F.lit(True)
        if where.since is not None:
            keep = keep & (F.col("_time") >= F.lit(where.since))
        if where.until is not None:
            keep = keep & (F.col("_time") <= F.lit(where.until))
        if where.accounts:
            keep = keep & F.coalesce("recipientAccountId", "userIdentity.accountId").isin(sorted(where.accounts))
        if where.regions:
            keep = keep & F.col("awsRegion").isin(sorted(where.regions))
        counts = good.select(F.count("*").alias("n"), F.sum(F.when(keep, 1).otherwise(0)).alias("k")).collect()[0]
        report.records += int(counts["k"] or 0)
        report.filtered += int(counts["n"] or 0) - int(counts["k"] or 0)
        report.files_read += sum(len(p) for p in by_shape.values())
        cases = ", ".join(f"CASE WHEN ({r.sql['spark']}) THEN {i} END" for i, r in enumerate(self.rules)) or "NULL"
        matched = good.where(keep).withColumn("_m", F.expr(f"filter(array({cases}), x -> x IS NOT NULL)"))
        good.where(keep).createOrReplaceTempView("iamwarden_records")
        self._firsts = first_seen_of(
            [
                tuple(r)
                for r in self.spark.sql(firsts_sql("spark", "iamwarden_records"))
                .orderBy("kind", "_t", "_a", "_i", "value")
                .collect()
            ]
        )
        self.hits = (
            matched.where(F.size("_m") > 0)
            .withColumn("_rule", F.explode("_m"))
            .drop("_m")
            .withColumn("_file", F.col("_file"))
            .cache()
        )
        frame.unpersist()
        return report

    def first_seen(self) -> list[FirstSeen]:
        return self._firsts

    def _event_id(self) -> str:
        return "coalesce(`eventID`, concat(_file, '#', CAST(_time AS STRING)))"

    def groups(self) -> list[HitGroup]:
        if self.hits is None:
            return []
        rows = self.hits.selectExpr("_rule", *_IDENTITY.split(", "), "_time", f"{self._event_id()} AS _id").collect()
        grouped: dict[tuple[Any, ...], list[tuple[datetime, str]]] = {}
        for row in rows:
            key = (row[0], row[1], row[2], row[3])
            grouped.setdefault(key, []).append((_aware(row[4]), row[5]))
        out = []
        for (rule, kind, arn, issuer), events in grouped.items():
            events.sort(key=lambda e: (e[0], e[1]))
            out.append(
                HitGroup(
                    self.rules[rule].info.id,
                    (kind, arn, issuer),
                    len(events),
                    events[0][0],
                    events[-1][0],
                    tuple(e[1] for e in events),
                )
            )
        return out

    def samples(self, limit: int) -> Iterator[HitRow]:
        if self.hits is None:
            return
        cols = list(RECORD)
        quoted = ", ".join(f"`{c}`" for c in cols)
        self.hits.createOrReplaceTempView("iamwarden_hits")
        rows = self.spark.sql(
            f"""SELECT _rule, {_IDENTITY}, _time, {quoted} FROM (
                    SELECT *, row_number() OVER (PARTITION BY _rule, {_IDENTITY} ORDER BY _time, `eventID`) AS _n
                    FROM iamwarden_hits)
                WHERE _n <= {int(limit)} ORDER BY _time, `eventID`, _rule"""
        ).collect()
        for row in rows:
            values = row.asDict(recursive=True)
            record = {c: values[c] for c in cols}
            yield HitRow(self.rules[row[0]].info.id, (row[1], row[2], row[3]), _aware(row[4]), record_of(record))

    def correlation_rows(self, rule_ids: Sequence[str], exprs: dict[str, tuple[str, ...]]) -> list[tuple[Any, ...]]:
        if self.hits is None:
            return []
        index = {r.info.id: i for i, r in enumerate(self.rules)}
        out: list[tuple[Any, ...]] = []
        for rule_id in rule_ids:
            extra = [f"{e} AS _e{n}" for n, e in enumerate(exprs.get(rule_id, ()))]
            rows = (
                self.hits.where(f"_rule = {index[rule_id]}")
                .selectExpr("_time", f"{self._event_id()} AS _id", *_IDENTITY.split(", "), *extra)
                .orderBy("_time", "_id")
                .collect()
            )
            out.extend((rule_id, _aware(r[0]), *tuple(r)[1:]) for r in rows)
        return out
