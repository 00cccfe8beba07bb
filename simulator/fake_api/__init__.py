"""The fake business API: state keyed by detailUrl, the FastAPI app, its server."""
