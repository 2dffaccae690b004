"""The mail outbox: mail is written in the request's transaction and sent after the commit."""
