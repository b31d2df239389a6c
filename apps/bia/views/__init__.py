"""BIA pages, one module per subject; ``apps/bia/urls.py`` names each view from its module."""
