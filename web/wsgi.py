"""The WSGI entry point for gunicorn: `gunicorn -c web/gunicorn.conf.py web.wsgi:app`.

Each worker process imports this once and loads the engine once.
"""

from web import create_app

app = create_app()
