"""The email channel: parsing inbound mail (``parse``), and later intake and sending."""
