"""Ingest: sources that only yield lines (files, TCP and UDP feeds), the pipeline from
sources through the decoder and tracker into the store, and replay of captures."""
