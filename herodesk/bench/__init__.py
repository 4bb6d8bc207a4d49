"""`herodesk bench`: seed a large desk, start the production server and measure latency over HTTP.

Also home to the mail benchmarks and the real mail servers they and the email tests use:
``mailservers.py`` (throwaway Dovecot IMAP server, SMTP sink), ``mail_intake.py`` (``herodesk mail bench``)
and ``mail_parse.py`` (``python -m herodesk.bench.mail_parse``).
"""
