"""Threaded comments on submitted assignment submissions, and the mail that tells people about them:
at once, or in a daily digest, as each person chooses."""
