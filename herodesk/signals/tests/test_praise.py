"""The praise detector on written examples; real data: `herodesk signals eval --only praise`."""

from __future__ import annotations

import pytest

from herodesk.signals import praise


@pytest.mark.parametrize(
    "text",
    [
        "Thank you so much, Maria sorted it in minutes!",
        "Thanks a lot, you've been really helpful.",
        "I really appreciate your help with the refund.",
        "Great service, the parcel arrived the next morning.",
        "Thank you for all your help today.",
        "Your reply was so quick, well done.",
    ],
)
def test_praise_is_found_with_evidence(text):
    found = praise.detect(text)
    assert found.present and found.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Thanks.",
        "OK, thank you!",
        "No thanks, that's all.",
        "Thanks for nothing, still no refund.",
        "Thanks in advance for checking my order.",
        "Your support was not helpful at all.",
        "Thanks for the reservation. I also need a taxi.",
        "",
    ],
)
def test_bare_thanks_declines_and_sarcasm_are_not_praise(text):
    assert not praise.detect(text).present
