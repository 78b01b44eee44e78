"""The error type of the synthesis pipelines."""

from __future__ import annotations

from optolab.errors import OptolabError


class SynthError(OptolabError, ValueError):
    """Wrong use of a synthesis pipeline: a bad option, an unreadable seed file, a run folder of another kind."""
