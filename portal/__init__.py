"""MLA request intake portal."""

__all__ = ["__version__"]
__version__ = "0.1.0"
