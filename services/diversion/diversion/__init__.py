"""Diversion: referrals of people who use drugs into treatment and diversion schemes, and what came of them."""
