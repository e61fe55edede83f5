"""Demo: realistic generated exports with a manifest of their true totals."""
