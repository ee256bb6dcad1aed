// TendHTTP: see docs/architecture.md.
