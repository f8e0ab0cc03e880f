"""The demo's form definitions, one module per service, each with a valid sample data set."""
