"""Gateway settings, read from ``GATEWAY_*`` environment variables (pydantic-settings).

Every setting is documented in the README's configuration table with its default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from terminology.urls import ilp_profile

DEFAULT_PROFILES = {"Patient": ilp_profile("ilp-patient"), "Observation": ilp_profile("ilp-observation")}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    store_url: str = Field(
        default="sqlite:///./data/gateway.db",
        description="Where resources are stored: sqlite:///path/to/file.db (embedded, the default).",
    )
    base_url: str | None = Field(
        default=None,
        description="Public FHIR base URL used in Location, fullUrl and paging links; "
        "derived from each request when unset.",
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest accepted request body."
    )
    default_page_size: int = Field(default=20, ge=1, le=1000, description="_count when a search gives none.")
    validation: Literal["reject", "warn", "off"] = Field(
        default="reject",
        description="Validate on write: reject (422 on errors), warn (store, report issues) or off.",
    )
    default_profiles: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PROFILES),
        description="Resource type -> profile URL applied on ingest (JSON object in the environment).",
    )
    referential_integrity: bool = Field(
        default=True,
        description="Refuse (409) a delete that would leave other resources referring to nothing.",
    )
    sqlite_readers: int = Field(default=4, ge=1, le=64, description="Read connections (threads) for SQLite.")
    log_level: str = Field(default="info", description="Log level: debug, info, warning or error.")
    demo: bool = Field(default=False, description="Load the demo Bundles at start-up (idempotent).")

    @field_validator("store_url")
    @classmethod
    def _known_store(cls, v: str) -> str:
        if not v.startswith("sqlite:///"):
            raise ValueError("store_url must be sqlite:///path (MongoDB support arrives with its own issue)")
        return v

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, v: str | None) -> str | None:
        return v.rstrip("/") if v else v
