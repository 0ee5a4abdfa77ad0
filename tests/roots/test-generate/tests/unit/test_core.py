from gpkg.core import Widget


def test_render():
    assert Widget().render() == "widget"
