"""What the municipality publishes as data: OCDS releases."""
