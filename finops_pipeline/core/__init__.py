"""The unified FOCUS table and what it is checked against."""
