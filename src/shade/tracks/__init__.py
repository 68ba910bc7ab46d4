"""Tracks: each vessel's state and its history of positions. Pure: no I/O, time passed in."""
