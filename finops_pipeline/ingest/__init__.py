"""Landing billing export files in the warehouse: detect, read, validate, replace atomically."""
