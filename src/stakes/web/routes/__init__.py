"""The REST API by topic: scenarios, forecasts, evidence."""
