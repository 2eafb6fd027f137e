"""iom-suite helper library."""
__version__ = "0.1.0"
