"""Errors of the training package."""

from __future__ import annotations

from optolab.errors import OptolabError


class TrainError(OptolabError, ValueError):
    """Wrong use of a trainer: unknown parameter or optimizer, a checkpoint of another run, missing packages..."""


class TrainDataError(TrainError):
    """A training data file that cannot be used: the message names each bad line and what to fix."""
