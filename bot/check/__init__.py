"""Check: the clinician phrasing check. Reads what a sentence claims, finds the evidence it speaks
to and gives a verdict with a certainty-correct rewrite.

Receives what it needs (knowledge, retriever, coverage) explicitly; imports bot.answer,
bot.triage, bot.search, bot.knowledge and the base modules, never the engine.
"""
