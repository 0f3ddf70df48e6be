"""The Maatschappelijke Agenda: ambitions, city indicators and their databook, the cases that contribute, and the portfolio of all commissions."""
