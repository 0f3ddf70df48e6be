"""From a societal question to a published tender: the case, articulation, suitability, stakeholders, the tender set-up and its lock, the question document and clarifications."""
