"""mlgate: privacy and safety checks for open-source ML model releases."""

__version__ = "0.1.0"
