"""The ``ilp-gateway`` command line (typer + rich). Every command is documented in the README."""

from __future__ import annotations

import asyncio
import logging.config
from typing import Annotated, Any

import typer
from rich.console import Console

from gateway.logs import log_config
from gateway.settings import Settings

app = typer.Typer(
    name="ilp-gateway",
    help="FHIR R4 interoperability gateway for Indonesia's Integrasi Layanan Primer (ILP).",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)


def _settings(store: str | None, log_level: str | None = None) -> Settings:
    """Settings from the environment (GATEWAY_*), with the command line's options winning."""
    settings = Settings()
    updates = {k: v for k, v in (("store_url", store), ("log_level", log_level)) if v}
    return Settings.model_validate(settings.model_dump() | updates) if updates else settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    store: Annotated[
        str | None,
        typer.Option(
            help="Store URL, e.g. sqlite:///./data/gateway.db (default: GATEWAY_STORE_URL or that path)."
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load the demo Bundles at start-up.")
    ] = False,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning or error.")] = None,
) -> None:
    """Start the gateway: FHIR REST API at /fhir, /healthz and /metrics."""
    import os

    import uvicorn

    # uvicorn builds the app with the factory, from the environment, so the options go there
    if store:
        os.environ["GATEWAY_STORE_URL"] = store
    if log_level:
        os.environ["GATEWAY_LOG_LEVEL"] = log_level
    if demo:
        os.environ["GATEWAY_DEMO"] = "true"
    settings = _settings(store, log_level)
    config = log_config(settings.log_level)
    logging.config.dictConfig(config)
    base = settings.base_url or f"http://{host}:{port}/fhir"
    err.print(f"[bold]ILP FHIR gateway[/bold] store [cyan]{settings.store_url}[/cyan]")
    err.print(
        f"FHIR base URL: [bold cyan]{base}[/bold cyan]   (metadata: {base}/metadata, health: "
        f"http://{host}:{port}/healthz)"
    )
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_config=config,
        log_level=settings.log_level.lower(),
    )


@app.command()
def version() -> None:
    """Print the gateway version and the FHIR version it implements."""
    from importlib.metadata import version as pkg_version

    Console().print(f"ilp-gateway {pkg_version('ilp-gateway')} (FHIR R4 4.0.1)")


@app.command("load-demo")
def load_demo_cmd(
    store: Annotated[str | None, typer.Option(help="Store URL (default: GATEWAY_STORE_URL).")] = None,
) -> None:
    """Load the demo Bundles into a store without starting the server."""
    from gateway.context import build_context
    from gateway.demo import load_demo

    settings = _settings(store)

    async def run() -> int:
        ctx = build_context(settings)
        await ctx.store.start()
        try:
            return await load_demo(ctx)
        finally:
            await ctx.store.stop()

    n = asyncio.run(run())
    err.print(f"[green]loaded[/green] {n} demo entries into {settings.store_url}")


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="A JSON resource or Bundle; '-' reads standard input.")],
    profile: Annotated[
        list[str] | None,
        typer.Option("--profile", help="Also validate against this profile URL (repeatable)."),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            help="Check references that leave the file against this store (sqlite:///…); "
            "without it they are not checked."
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults/--no-defaults", help="Apply the default profile per resource type.")
    ] = False,
) -> None:
    """Validate a resource or Bundle and print the OperationOutcome; exit code 1 on errors."""
    import sys

    import orjson

    from gateway.errors import Issue, operation_outcome
    from gateway.validation import ordered
    from profiles.definitions import R4Definitions
    from profiles.validator import Validator

    settings = _settings(store)
    raw = sys.stdin.buffer.read() if file == "-" else _read_file(file)
    try:
        resource = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        err.print(f"[red]{file} is not valid JSON:[/red] {exc}")
        raise typer.Exit(2) from None
    if store:
        from gateway.context import build_context
        from gateway.validation import validate as validate_with_store

        async def run() -> list[Issue]:
            ctx = build_context(settings)
            await ctx.store.start()
            try:
                return await validate_with_store(
                    ctx.validator, ctx.store, resource, profiles=profile or (), defaults=defaults
                )
            finally:
                await ctx.store.stop()

        issues = asyncio.run(run())
    else:
        from terminology.service import TerminologyService

        terminology = TerminologyService.load()
        validator = Validator(
            R4Definitions.load(),
            bindings=terminology,
            services=terminology,
            default_profiles=settings.default_profiles,
        )
        issues = validator.validate(resource, profiles=profile or (), defaults=defaults).issues
    sys.stdout.write(
        orjson.dumps(operation_outcome(ordered(issues)), option=orjson.OPT_INDENT_2).decode() + "\n"
    )
    errors = sum(i.is_error for i in issues)
    err.print(f"{errors} error(s), {len(issues) - errors} other issue(s)")
    raise typer.Exit(1 if errors else 0)


@app.command("map")
def map_cmd(
    file: Annotated[
        str, typer.Argument(help="Records as JSON (an object or an array) or CSV; '-' reads stdin.")
    ],
    record_type: Annotated[str, typer.Option("--type", help="Record type, e.g. posyandu-balita.")],
    out: Annotated[
        str | None, typer.Option("--out", help="Write the Bundles here (default: stdout).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="ndjson (one Bundle per line) or json (an array).")
    ] = "ndjson",
    input_format: Annotated[
        str | None, typer.Option("--input", help="json or csv (default: from the file name, else json).")
    ] = None,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Validate each Bundle against the profiles.")
    ] = False,
) -> None:
    """Map source records to transaction Bundles; row errors on stderr, exit code 1 if any record failed."""
    import sys
    from datetime import UTC, datetime

    from mappers.base import MappingContext
    from mappers.registry import MapperRegistry
    from terminology.service import TerminologyService

    if fmt not in ("ndjson", "json"):
        err.print(f"[red]--format must be ndjson or json, not {fmt}[/red]")
        raise typer.Exit(2)
    registry = MapperRegistry.load()
    if record_type not in registry:
        err.print(f"[red]unknown record type {record_type}[/red]; known: {', '.join(registry.record_types)}")
        raise typer.Exit(2)
    raw = sys.stdin.buffer.read() if file == "-" else _read_file(file)
    terminology = TerminologyService.load()
    validator = _validator(terminology) if validate else None
    ctx = MappingContext(terminology, datetime.now(UTC))
    kind = input_format or ("csv" if file.lower().endswith(".csv") else "json")
    failed = _map_to(
        out, fmt, _rows(raw, kind, registry.contract(record_type)), record_type, ctx, registry, validator
    )
    raise typer.Exit(1 if failed else 0)


def _validator(terminology: Any) -> Any:
    from profiles.definitions import R4Definitions
    from profiles.validator import Validator

    return Validator(R4Definitions.load(), bindings=terminology, services=terminology)


def _rows(raw: bytes, kind: str, contract: Any) -> Any:
    from mappers.reader import ReaderError, read_records

    try:
        return read_records(raw, "csv" if kind == "csv" else "json", contract)
    except ReaderError as exc:
        err.print(f"[red]{exc.message_id}[/red] {exc.message}")
        raise typer.Exit(2) from None


def _map_to(
    out: str | None, fmt: str, rows: Any, record_type: str, ctx: Any, registry: Any, validator: Any
) -> int:
    """Write the Bundles of ``rows`` (progress bar on stderr); returns the number of failed rows."""
    import sys

    import orjson
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mappers.pipeline import map_records

    rows = list(rows)
    sink = open(out, "wb") if out else sys.stdout.buffer  # noqa: SIM115
    failed = mapped = 0
    columns = (TextColumn("mapping"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, disable=len(rows) < 500, transient=True) as progress:
            task = progress.add_task("map", total=len(rows))
            sink.write(b"[" if fmt == "json" else b"")
            for result in map_records(record_type, rows, ctx, registry, validator=validator):
                for issue in result.issues:
                    colour = "red" if issue.severity == "error" else "yellow"
                    where = f" {issue.field}" if issue.field else ""
                    err.print(
                        f"row {issue.row}{where}: [{colour}]{issue.severity}[/{colour}] {issue.message_id} "
                        f"{issue.message}",
                        highlight=False,
                    )
                if result.bundle is None:
                    failed += 1
                else:
                    if fmt == "json":
                        sink.write(b"," if mapped else b"")
                    sink.write(orjson.dumps(result.bundle) + (b"\n" if fmt == "ndjson" else b""))
                    mapped += 1
                progress.advance(task)
            sink.write(b"]\n" if fmt == "json" else b"")
    finally:
        if out:
            sink.close()
    err.print(f"{mapped + failed} row(s): {mapped} mapped, {failed} failed")
    return failed


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        err.print(f"[red]cannot read {path}:[/red] {exc.strerror}")
        raise typer.Exit(2) from None


def main() -> None:
    app()
