"""The FastAPI search service over the budget records (API.md, "HTTP API")."""
