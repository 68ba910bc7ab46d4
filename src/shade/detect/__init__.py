"""Risk detection: track points in, events out (close encounters, zones, gaps, loitering,
ship-to-ship meetings). Pure: no HTTP, no SQL; time is passed in."""
