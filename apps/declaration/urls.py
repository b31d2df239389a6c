"""The declaration; included under ``/o/<org_slug>/declaration/`` by ``resilis.urls``."""



app_name = "declaration"

urlpatterns: list = []
