"""Serving for real: nginx in front of gunicorn (deploy/nginx.conf, deploy/serve.py, docs/deploy.md)."""
