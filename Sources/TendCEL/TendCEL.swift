// TendCEL: see docs/architecture.md.
