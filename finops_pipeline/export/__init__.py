"""`finops export`: focus_costs written out as a FOCUS dataset for other tools."""
