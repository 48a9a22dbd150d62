"""Server-rendered pages: one module per area (auth, employee, supervisor,
auditor). Views only check access, call a selector or service, and render."""
