"""Tagged tokens to the canonical result parts: sections, tables, report metadata."""
