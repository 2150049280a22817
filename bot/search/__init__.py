"""Search: the parsed question, lay-term expansion, BM25 and dense ranking, fusion, relevance bar.

Owns turning a question into ranked evidence hits. Imports bot.index, bot.knowledge and the
base modules only.
"""
