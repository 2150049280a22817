"""Answer: follow-up context, composition (lead, support, citations, certainty, disagreement,
follow-ups) and rendering to Markdown and sanitised HTML.

Imports bot.triage, bot.search, bot.knowledge and the base modules only; nothing here invents a
sentence: every one comes from a snippet or a fixed message in knowledge/.
"""
