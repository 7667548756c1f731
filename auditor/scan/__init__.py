"""scan: one file's text to raw observations with exact positions."""
