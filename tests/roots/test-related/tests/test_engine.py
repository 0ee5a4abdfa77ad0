from app.engine import Engine


def test_runs():
    calls = []
    Engine().run(calls.append)
    assert calls == [1, 2, 4]
