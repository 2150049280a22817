"""Knowledge: typed models, loading and lint of every file under knowledge/.

Owns the curated content as frozen records (sources, snippets, lexicon, scope, messages, check
wording, routing examples) and the vocabulary the other stages read (drug, route and condition
names). The lowest stage: imports only bot.errors, bot.text, bot.enums and bot.settings.
"""
