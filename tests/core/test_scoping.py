"""The fail-closed safety net: tenant-owned queries outside a tenant scope raise."""

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from apps.tenants.models import Establishment, Membership, Site


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Establishment, Site, Membership])
def test_unscoped_query_fails_loudly(model, org) -> None:
    # The autouse fixture disables scopes for setup; re-enable them as production does.
    with scope():
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(organization=org).count()


@pytest.mark.django_db
def test_scoped_query_sees_only_its_organization(org, other_org) -> None:
    with scope(organization=org):
        names = set(Establishment.objects.values_list("organization__slug", flat=True))
    assert names == {org.slug}
    with scopes_disabled():
        assert Establishment.objects.count() == 2
