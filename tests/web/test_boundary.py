"""The one error boundary of the web app (mtb.web.boundary): an MtbError is its message, any
other error a short notice and one log line naming only the kind of error."""

from __future__ import annotations

import logging

from mtb.errors import InputError, StaleEditError
from mtb.web import boundary
from tests.layouts.tree import texts

SECRET = "chr7:55191822 T>G of patient SYN-001"  # what must never reach the log or the page


def _fail(error: Exception):
    def act():
        raise error
    return act


def test_an_mtb_error_is_its_message() -> None:
    outcome = boundary.attempt("saving", _fail(StaleEditError("cura changed this; reload")))
    assert (outcome.ok, outcome.value, outcome.message) == (False, None,
                                                            "cura changed this; reload")
    outcome = boundary.attempt("adding", _fail(InputError("x.vcf", "not a VCF", 3)))
    assert outcome.message == "x.vcf, line 3: not a VCF"


def test_any_other_error_is_a_notice_and_a_log_line_without_content(caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="mtb.app"):
        outcome = boundary.attempt("saving", _fail(KeyError(SECRET)),
                                   internal=boundary.NOT_SAVED)
    assert not outcome.ok and outcome.message == boundary.NOT_SAVED
    assert caplog.messages == ["internal error (KeyError) while saving"]
    assert SECRET not in caplog.text


def test_success_carries_the_value() -> None:
    assert boundary.attempt("reading", lambda: 42) == boundary.Outcome(True, 42)


def test_a_page_that_fails_is_framed_as_a_message(caplog) -> None:
    page = boundary.page("This case", _fail(RuntimeError(SECRET)), lambda *c: list(c))
    shown = texts(page)
    assert "This case cannot be shown" in shown and SECRET not in shown
    assert "logged without patient data" in shown
    assert boundary.page("This case", lambda: "the page", list) == "the page"


def test_a_write_without_a_signed_in_user_is_refused() -> None:
    class _NoStore:
        def actor(self, *_):
            raise AssertionError("no session: the store is not asked")

    outcome = boundary.as_user(_NoStore(), "saving", lambda actor: "saved")  # type: ignore[arg-type]
    assert (outcome.ok, outcome.message) == (False, boundary.SESSION_ENDED)
