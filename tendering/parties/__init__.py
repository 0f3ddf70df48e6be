"""Who takes part: organisations and their users, the officials' teams, coalitions, their proposals and attachments."""
