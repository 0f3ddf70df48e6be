"""After the award: the agreement, measurements and indicator status, progress reports, API tokens, the outcome monitor and the joint accountability."""
