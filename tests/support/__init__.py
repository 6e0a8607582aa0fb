"""Helpers shared by the end-to-end tests: the running landscape, Jaeger, toxiproxy."""
