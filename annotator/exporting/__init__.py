"""Training data out and back in: records, splits, the dataset card, and reading an
export back (``flask export`` and ``flask import-annotations`` are in ``commands``)."""
