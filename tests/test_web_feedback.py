"""'Was this helpful?' through Flask's test client: ids and kinds only, checked; a thank-you after."""

import pytest

from web import create_app


class MemoryFeedback:
    def __init__(self):
        self.votes = []

    def record(self, snippet_ids, kind, helpful):
        self.votes.append((tuple(snippet_ids), kind, helpful))

    def counts(self):
        return []


@pytest.fixture
def voting(engine):
    store = MemoryFeedback()
    return create_app({"ENGINE": engine, "RATE_LIMIT": "", "FEEDBACK": store}).test_client(), store


def test_each_answer_has_a_yes_no_form_with_its_ids_and_kind_only(client):
    html = client.post("/", data={"question": "Does ketamine help fibro zebra-canary-7734?"}).get_data(as_text=True)
    form = html[html.index('<form class="feedback"'):html.index("</form>", html.index('<form class="feedback"'))]
    assert '<legend>Was this helpful?</legend>' in form and 'method="post" action="/feedback"' in form
    assert 'name="snippets" value="fibro"' in form and 'name="kind" value="answer"' in form
    assert "zebra-canary-7734" not in form and 'name="history"' not in form


def test_crisis_replies_ask_nothing(client):
    html = client.post("/", data={"question": "I want to end my life"}).get_data(as_text=True)
    assert 'class="feedback"' not in html


def test_a_vote_is_counted_then_thanked_with_a_redirect(voting):
    client, store = voting
    response = client.post("/feedback", data={"snippets": "fibro,review-pain", "kind": "answer", "helpful": "yes"})
    assert response.status_code == 303 and response.headers["Location"] == "/feedback/thanks"
    assert store.votes == [(("fibro", "review-pain"), "answer", True)]
    assert "Set-Cookie" not in response.headers
    assert "Thank you" in client.get("/feedback/thanks").get_data(as_text=True)


def test_a_kiosk_vote_thanks_on_a_kiosk_page_that_clears_itself(voting):
    client, store = voting
    response = client.post("/feedback", data={"snippets": "", "kind": "no_evidence", "helpful": "no", "mode": "kiosk"})
    assert response.headers["Location"] == "/feedback/thanks?kiosk=1" and store.votes == [((), "no_evidence", False)]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="kiosk"' in html and 'id="start-over"' in html and 'http-equiv="refresh"' in html


def test_the_script_gets_a_fragment(voting):
    client, store = voting
    response = client.post("/feedback", data={"snippets": "fibro", "kind": "answer", "helpful": "no"},
                           headers={"X-Fragment": "feedback"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'role="status"' in html
    assert store.votes == [(("fibro",), "answer", False)]


@pytest.mark.parametrize("data", [
    {"snippets": "fibro", "kind": "answer"},
    {"snippets": "fibro", "kind": "answer", "helpful": "maybe"},
    {"snippets": "fibro", "kind": "zebra", "helpful": "yes"},
    {"snippets": "does ketamine help my zebra", "kind": "answer", "helpful": "yes"},
    {"snippets": "not-a-snippet", "kind": "answer", "helpful": "yes"},
    {"snippets": ",".join(["fibro"] * 11), "kind": "answer", "helpful": "yes"},
])
def test_anything_but_known_ids_and_kinds_is_refused(voting, data):
    client, store = voting
    assert client.post("/feedback", data=data).status_code == 400
    assert client.post("/feedback", data=data, headers={"X-Fragment": "feedback"}).status_code == 400
    assert store.votes == []


def test_a_vote_from_another_site_is_refused(voting):
    client, store = voting
    response = client.post("/feedback", data={"snippets": "fibro", "kind": "answer", "helpful": "yes"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and store.votes == []


def test_votes_share_the_asking_rate_limit(engine):
    store = MemoryFeedback()
    client = create_app({"ENGINE": engine, "RATE_LIMIT": "2 per minute", "FEEDBACK": store}).test_client()
    statuses = [client.post("/feedback", data={"snippets": "fibro", "kind": "answer", "helpful": "yes"}).status_code
                for _ in range(3)]
    assert statuses == [303, 303, 429] and len(store.votes) == 2


def test_votes_go_to_the_sqlite_store_by_default(engine, tmp_path):
    path = tmp_path / "votes.sqlite3"
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "FEEDBACK_STORE": str(path)})
    app.test_client().post("/feedback", data={"snippets": "fibro", "kind": "answer", "helpful": "yes"})
    [row] = app.extensions["feedback"].counts()
    assert (row.snippet_id, row.kind, row.yes, row.no) == ("fibro", "answer", 1, 0)
