"""Azure: the EA and MCA estates, meter pricing, the cost-details and FOCUS export writers."""
