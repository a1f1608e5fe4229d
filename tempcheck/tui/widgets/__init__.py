"""Reusable widgets of the tempcheck UI."""
