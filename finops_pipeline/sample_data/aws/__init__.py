"""AWS: the billing estates, pricing and the legacy CUR, CUR 2.0 and FOCUS export writers."""
