// TendRuntime: see docs/architecture.md.
