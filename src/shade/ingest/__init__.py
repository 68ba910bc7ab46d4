"""Ingest: sources that only yield lines (files now; TCP and UDP feeds to come)."""
