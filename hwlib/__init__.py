"""Helpers for the bilingual deep-learning course book: data, models, training, metrics, plots, runner, book builder."""
