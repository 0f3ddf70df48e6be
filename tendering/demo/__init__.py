"""Demo and generated data, and the journeys that tests and the demo take through the real services."""
