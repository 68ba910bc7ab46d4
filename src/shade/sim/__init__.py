"""Simulated AIS traffic, made with SHADE's own encoder: for the demo and for tests."""
