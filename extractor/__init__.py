"""ogi-extractor: annual reports on open government information into validated data."""

__version__ = "0.1.0"
