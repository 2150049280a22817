import threading

from bot.cache import LRU


def test_lru_returns_cached_values_and_evicts_the_oldest():
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the newest
    cache.put("c", 3)  # evicts "b"
    assert cache.get("b") is None and cache.get("c") == 3 and len(cache) == 2
    assert (cache.hits, cache.misses) == (2, 1)


def test_size_zero_disables_caching():
    cache = LRU(0)
    cache.put("k", 1)
    assert cache.get("k") is None and len(cache) == 0


def test_concurrent_use_is_safe():
    cache = LRU(50)

    def work(offset):
        for i in range(500):
            key = (i + offset) % 80
            value = cache.get(key)
            assert value is None or value == key
            cache.put(key, key)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) <= 50
