"""`annotator serve` keeps gunicorn's control socket closed: its default path
is one per OS user, shared by every server that user starts."""

from annotator.server import _Gunicorn


def test_the_control_socket_is_off(app):
    server = _Gunicorn(app, {"bind": "127.0.0.1:0", "workers": 1})
    assert server.cfg.settings["control_socket_disable"].get() is True
