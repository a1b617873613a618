"""The corpus of realistic texts for the rules that read free text (see README.md here)."""
