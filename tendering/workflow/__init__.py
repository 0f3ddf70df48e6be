"""The case workflow: definitions as data, the engine that fires them, a diagram."""
