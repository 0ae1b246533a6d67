"""Google Cloud: the estate, SKU pricing and the detailed billing export writer."""
