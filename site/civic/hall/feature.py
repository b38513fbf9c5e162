"""议事厅 as the site sees it: see civic/features.py."""

from __future__ import annotations

from civic.features import Feature

FEATURE = Feature(name="hall", controllers=[])
