"""The sealed box to the award: submissions and the four-eyes opening, evaluators, scoring, the award and its letters, reconsideration."""
