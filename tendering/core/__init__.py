"""Plumbing every area uses: the database session and its one commit point, errors, the audit log, mail, locking, input characters, configuration and languages."""
