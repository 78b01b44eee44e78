"""Model clients: one interface over litellm, with structured replies, retries, cache and usage."""

from optolab.llm.base import BaseLLM, Reply, normalize_messages
from optolab.llm.cache import DiskCache, request_key
from optolab.llm.client import LLM
from optolab.llm.config import LLMSettings, resolve_settings
from optolab.llm.guard import allow_real_llm_calls, forbid_real_llm_calls, real_calls_forbidden
from optolab.llm.jsonrepair import extract_json
from optolab.llm.usage import Usage, UsageSnapshot, track

__all__ = ["BaseLLM", "DiskCache", "LLM", "LLMSettings", "Reply", "Usage", "UsageSnapshot", "allow_real_llm_calls",
           "extract_json", "forbid_real_llm_calls", "normalize_messages", "real_calls_forbidden", "request_key",
           "resolve_settings", "track"]
