"""Coordinators' notices of pledges and offers, batched per coordinator."""
