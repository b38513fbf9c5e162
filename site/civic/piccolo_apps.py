"""Builds each feature's Piccolo AppConfig with its migrations under migrations/<feature>/."""

from __future__ import annotations

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from civic.settings import ROOT


def feature_app(
    name: str, tables: list[type[Table]], depends_on: tuple[str, ...] = ()
) -> AppConfig:
    """depends_on: the features whose tables these tables point at."""
    return AppConfig(
        app_name=name,
        migrations_folder_path=str(ROOT / "migrations" / name),
        table_classes=tables,
        migration_dependencies=[f"civic.{d}.piccolo_app" for d in depends_on],
        commands=[],
    )
