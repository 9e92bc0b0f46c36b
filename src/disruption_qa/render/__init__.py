"""Renderers: JSON, CSV, terminal and HTML views of results. They compute nothing."""
