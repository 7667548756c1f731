"""Small helpers with no stage of their own."""
