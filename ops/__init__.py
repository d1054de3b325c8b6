"""Running SeaStat unattended: alert rules and their email (alerts.py, mail.py), the schedule
(config.py, clock.py: the Procfile's `clock` process). `python -m ops --help` lists the commands.
Nothing here reads a file or opens a database at import time."""
