"""Plain text: positions, the line scanner, identifiers inside free text."""
