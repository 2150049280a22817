"""Triage: what kind of reply a question needs before any evidence is shown (crisis, emergency,
advice, illicit, off-topic) and whether the evidence covers its topic at all.

Imports bot.search, bot.index, bot.knowledge and the base modules only.
"""
