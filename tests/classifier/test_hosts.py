"""`classifier.hosts`: host names, registered domains and host labels, offline."""

from __future__ import annotations

import subprocess
import sys

from classifier.hosts import host_labels, host_of, registered_domain, url_path


def test_host_and_registered_domain() -> None:
    assert host_of("https://News.BBC.co.uk/x?y=1") == "news.bbc.co.uk"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("localhost") == "localhost"
    assert host_of("") == registered_domain(None) == ""


def test_host_labels_stop_at_the_public_suffix() -> None:
    assert host_labels("https://internet.watch.impress.co.jp/docs") == ["internet", "watch", "impress"]
    assert host_labels("https://www.bbc.co.uk/news/x") == ["www", "bbc"]
    assert host_labels("ergotron.com") == ["ergotron"]
    assert host_labels(None) == host_labels("http://") == []


def test_url_path_of_bad_urls_is_empty() -> None:
    assert url_path("https://x.example/2020/01/02/a?b") == "/2020/01/02/a"
    assert url_path("http://[::1") == url_path(None) == url_path("") == ""


def test_tldextract_is_imported_only_when_a_domain_is_asked_for() -> None:
    """`import classifier` and a page extracted without a URL leave tldextract (and the HTTP
    library it imports) unloaded; the first registered domain loads it."""
    code = (
        "import sys, classifier\n"
        "from classifier.hosts import registered_domain\n"
        "classifier.clean('<html><body><p>' + 'Some words of a page. ' * 20 + '</p></body></html>')\n"
        "print('tldextract' in sys.modules, 'requests' in sys.modules)\n"
        "assert registered_domain('https://news.bbc.co.uk/x') == 'bbc.co.uk'\n"
        "print('tldextract' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "True"]
