"""The public accessibility statement and privacy notice, linked from every page's footer."""
