"""What operations watch, read across the domains (above them all; only the web layer uses it)."""
