"""Local models: a registry, downloads with verification, and OpenAI-compatible servers.

Servers (``LlamaCppServer``, ``VLLMServer``, ``ensure_local_server``) live in
``optolab.models.server`` and are imported from there, so importing this package stays cheap.
"""

from optolab.models.download import list_models, model_dir, path, pull
from optolab.models.registry import DEFAULT_MODEL, MODELS, ModelSpec, get_spec

__all__ = ["DEFAULT_MODEL", "MODELS", "ModelSpec", "get_spec", "list_models", "model_dir", "path", "pull"]
