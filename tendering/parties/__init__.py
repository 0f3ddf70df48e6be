"""Who takes part: organisations and their users, coalitions, their proposals and attachments."""
