"""Every demo account follows every link its pages show: no link ends on a 403 or a 404, no page fails, no
page gives one id to two elements; the RPCRA's pages read the same with the Python form templates
(``apps.core.renderer``) as with Django's.

The isolation matrix (tests/test_isolation.py) checks what each URL answers; this checks what each page
*offers*: a link a member cannot follow is a promise the product does not keep (and, between establishments,
can name what the member should not see). The crawl starts at the home of each organization of the account,
follows the links of every HTML page (GET only: forms are not submitted), and opens at most ``PER_SHAPE``
URLs of one shape (``/bia/activites/<n>/`` for every activity would say the same thing a hundred times).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

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


def crawl(client: Client, starts: list[str],
          check: Callable[[str, str], list[str]] | None = None) -> tuple[int, list[str]]:
    """(pages opened, problems found); ``check(url, html)`` adds the problems of each HTML page."""
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
        if check is not None:
            problems += check(url, html)
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            if href not in seen:
                queue.append((href, url))
    return opened, problems


# What changes from one rendering of a page to the next: tokens, idempotency keys and nonces.
VOLATILE = re.compile(r'(name="(?:csrfmiddlewaretoken|form_token|key)" value=|"X-CSRFToken": |nonce=)"[^"]*"')


def same_with_template_renderer(client: Client) -> Callable[[str, str], list[str]]:
    """A check: the page is the same when every form template goes through the template engine (the
    Python versions of ``apps.core.renderer`` write the same bytes)."""
    def check(url: str, html: str) -> list[str]:
        if "<input" not in html and "<textarea" not in html:
            return []
        with override_settings(FORM_RENDERER="tests.core.test_renderer.TemplateRenderer"):
            reference = page_html(client.get(url))
        if reference is None or VOLATILE.sub(r"\1…", reference) == VOLATILE.sub(r"\1…", html):
            return []
        ours, theirs = VOLATILE.sub(r"\1…", html).splitlines(), VOLATILE.sub(r"\1…", reference).splitlines()
        first = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
        return [f"{url}: the fast form renderer differs at line {first + 1}:\n  {ours[first:first + 1]}\n  {theirs[first:first + 1]}"]
    return check


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
        # The RPCRA's pages (the most forms) are also rendered with the template engine alone, and compared.
        check = same_with_template_renderer(client) if user.email.startswith("rpcra@") else None
        opened, problems = crawl(client, [f"/o/{slug}/" for slug in slugs] + ["/"], check)
        opened_by[user.email] = opened
        report += [f"{user.email}: {p}" for p in problems]
    assert not report, "\n".join(report)
    # The crawl really went through the product (a login page for everyone would pass the checks above).
    assert opened_by["rpcra@ght-rives-de-loire.example"] > 150
    assert opened_by["chef.urgences@ght-rives-de-loire.example"] > 10
