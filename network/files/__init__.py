"""Uploaded files, stored in the database so that every app instance can serve them."""
