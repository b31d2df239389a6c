import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # noqa: ANN001, ANN202
    """Evidence files go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
