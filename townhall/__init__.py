"""Townhall: a self-hosted comment platform for news sites and blogs."""
