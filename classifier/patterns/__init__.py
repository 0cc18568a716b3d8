"""Pattern tables of the page scorer (package data; see README.md here)."""
