"""Exception types raised by optolab.

Every error a user can trigger by wrong use derives from :class:`OptolabError`, so
``except optolab.errors.OptolabError`` catches all of them. Each message says what is
wrong and what to do about it.
"""

from __future__ import annotations


class OptolabError(Exception):
    """Base class of every optolab error."""


# --- tracing -----------------------------------------------------------------------------


class TraceError(OptolabError):
    """Wrong use of the tracing API."""


class NotANodeError(TraceError, TypeError):
    """A traced node was expected but something else was given."""


class BackwardError(TraceError):
    """``backward`` cannot propagate feedback (no trainable ancestor, bad feedback type, ...)."""


class FeedbackTypeError(BackwardError, TypeError):
    """Feedback must be text or a number."""


class NameClashError(TraceError):
    """Two different parameters would be known under the same name."""


class StateError(TraceError):
    """A saved state does not match the module it is loaded into."""


class TracedExecutionError(TraceError):
    """A traced operator raised while error capture was off.

    ``error.node`` is the :class:`~optolab.trace.ErrorNode` that records the failure; it can
    still be used for ``backward``.
    """

    def __init__(self, message: str, node=None):
        super().__init__(message)
        self.node = node


class ParameterUpdateError(TraceError):
    """A proposed value for a parameter was rejected (wrong type, violates its constraint, bad code)."""


class CodeCompileError(ParameterUpdateError):
    """The new code of a trainable function does not compile or does not define the function."""


# --- LLM layer ---------------------------------------------------------------------------


class LLMError(OptolabError):
    """A model call failed for good (after retries, or for a reason retrying cannot fix)."""


class TransientLLMError(LLMError):
    """A model call failed for a reason that may go away (timeout, connection, rate limit, server error)."""


class LLMConfigError(LLMError):
    """The LLM configuration is invalid (unknown option, unreadable config file, missing model name)."""


class StructuredOutputError(LLMError):
    """The model's replies could not be turned into the requested structure.

    ``raw_replies`` holds every reply text, so nothing the model produced is lost.
    """

    def __init__(self, message: str, raw_replies: list[str] | None = None):
        super().__init__(message)
        self.raw_replies = list(raw_replies or [])


class RealLLMCallForbidden(LLMError):
    """A real model call was attempted while real calls are forbidden (inside tests).

    Traced operators let it through instead of turning it into an error node.
    """

    propagate_through_trace = True


class ScriptExhaustedError(LLMError):
    """A scripted test double was asked for more replies than it was given."""


# --- solvers -----------------------------------------------------------------------------


class SolverError(OptolabError):
    """A solver cannot be used as asked (unknown name, not installed, model without objective)."""


class SolverNotAvailableError(SolverError):
    """The chosen solver is not installed; the message names the package to install."""


class SandboxError(OptolabError):
    """The sandbox itself failed (a worker could not start), as opposed to the code it ran."""


# --- datasets and evaluation -------------------------------------------------------------


class DatasetError(OptolabError):
    """A benchmark cannot be loaded as asked."""


class DataDirError(DatasetError):
    """No data directory was given, or the one given does not exist."""


class UnknownBenchmarkError(DatasetError, ValueError):
    """The name is neither a known benchmark nor a path to a data file."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A known benchmark's files are not in the data directory; the message names the expected path."""


class DatasetFormatError(DatasetError, ValueError):
    """A data file does not have the expected format; the message names the file and line."""


class ScoringError(OptolabError, ValueError):
    """Wrong use of the scoring rules (unknown rule name, misaligned scores and items)."""


# --- local models ------------------------------------------------------------------------


class ModelError(OptolabError):
    """A local model cannot be found, fetched, verified or served."""


class ModelNotFoundError(ModelError):
    """The model is unknown, or known but not downloaded yet."""


class ModelDownloadError(ModelError):
    """No source could deliver the model file (the message lists what was tried)."""


class ModelServerError(ModelError):
    """A model server did not start or stopped answering (the message has the end of its log)."""


# --- embedded problem set -----------------------------------------------------------------


class ProblemBankError(OptolabError, ValueError):
    """A problem file is malformed (missing field, bad value, duplicate id); the message names file and field."""


class ProblemNotFoundError(OptolabError, KeyError):
    """No problem in the bank has the requested id; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""
