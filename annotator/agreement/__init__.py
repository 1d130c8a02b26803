"""Inter-annotator agreement: the statistics, the data they are computed from, the report,
``flask agreement`` and the review page's figures."""
