"""Every demo account follows every link its pages show: no link ends on a 403 or a 404, no page fails, no
page gives one id to two elements.

The isolation matrix (tests/test_isolation.py) checks what each URL answers; this checks what each page
*offers*: a link a member cannot follow is a promise the product does not keep (and, between establishments,
can name what the member should not see). The crawl starts at the home of each organization of the account,
follows the links of every HTML page (GET only: forms are not submitted), and opens at most ``PER_SHAPE``
URLs of one shape (``/bia/activites/<n>/`` for every activity would say the same thing a hundred times).
"""

from __future__ import annotations

import re
from collections import Counter, deque

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.tenants.models import Membership
from tests.htmlhelpers import duplicate_ids, page_html

PER_SHAPE = 3
MAX_PAGES = 600  # per account; the richest (the RPCRA's) opens about 300
HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/logout", "/deconnexion", "/static/", "/media/")


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    return re.sub(r"/\d+(?=/)", "/<n>", path) + ("?" if query else "")


def crawl(client: Client, starts: list[str]) -> tuple[int, list[str]]:
    """(pages opened, problems found)."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = deque((start, "(start)") for start in starts)
    problems: list[str] = []
    opened = 0
    while queue and opened < MAX_PAGES:
        url, referrer = queue.popleft()
        if url in seen or any(part in url for part in SKIP):
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        if shapes[_shape(url)] > PER_SHAPE:
            continue
        response = client.get(url)
        opened += 1
        status = response.status_code
        if status >= 500 or status in (403, 404, 405):
            problems.append(f"{url} → {status} (linked from {referrer})")
            continue
        html = page_html(response)
        if html is None:  # a redirect, or a download (its permission is the matrix's matter)
            response.close()
            continue
        if twice := duplicate_ids(html):
            problems.append(f"{url}: ids carried twice {twice}")
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            if href not in seen:
                queue.append((href, url))
    return opened, problems


@pytest.mark.django_db(transaction=True)
def test_every_link_of_every_demo_account_opens() -> None:
    call_command("seed_demo", "--quiet-accounts")
    report: list[str] = []
    opened_by: dict[str, int] = {}
    users = User.objects.filter(memberships__isnull=False).distinct().order_by("email")
    assert users.count() >= 10, "the demo gives every role an account"
    for user in users:
        slugs = list(Membership.objects.filter(user=user).values_list("organization__slug", flat=True))
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        opened, problems = crawl(client, [f"/o/{slug}/" for slug in slugs] + ["/"])
        opened_by[user.email] = opened
        report += [f"{user.email}: {p}" for p in problems]
    assert not report, "\n".join(report)
    # The crawl really went through the product (a login page for everyone would pass the checks above).
    assert opened_by["rpcra@ght-rives-de-loire.example"] > 150
    assert opened_by["chef.urgences@ght-rives-de-loire.example"] > 10
