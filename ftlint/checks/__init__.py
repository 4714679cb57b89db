"""Rule implementations, one module per family; each registers itself with `ftlint.registry`."""
