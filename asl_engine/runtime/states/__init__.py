"""The compiled state types, one module each."""
