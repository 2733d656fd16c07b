"""Where the tests find the public corpora of ../shared/corpora (read-only; see its README for the licences)."""

from __future__ import annotations

import os
from pathlib import Path

# The Stratus Red Team corpus beside the project (../shared), else where this workplace keeps it, else $STRATUS_LOGS.
STRATUS = next(
    (
        p
        for p in (
            Path(os.environ.get("STRATUS_LOGS", "/nonexistent")),
            Path(__file__).resolve().parents[2] / "shared" / "corpora" / "stratus-red-team" / "detonation-logs",
            Path("/work/shared/corpora/stratus-red-team/detonation-logs"),
        )
        if p.is_dir()
    ),
    Path("/work/shared/corpora/stratus-red-team/detonation-logs"),
)

# SigmaHQ's CloudTrail rules, found the same way ($SIGMA_RULES overrides).
SIGMA = next(
    (
        p
        for p in (
            Path(os.environ.get("SIGMA_RULES", "/nonexistent")),
            Path(__file__).resolve().parents[2] / "shared" / "corpora" / "sigma-aws-cloudtrail",
            Path("/work/shared/corpora/sigma-aws-cloudtrail"),
        )
        if p.is_dir()
    ),
    Path("/work/shared/corpora/sigma-aws-cloudtrail"),
)
