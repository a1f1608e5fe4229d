"""Screens and dialogs of the tempcheck UI, one per module."""
