"""OTP: generate and check one-time codes."""
