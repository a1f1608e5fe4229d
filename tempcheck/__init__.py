"""tempcheck: see at a glance which customer relationships are going cold or hot."""

__version__ = "0.1.0"
