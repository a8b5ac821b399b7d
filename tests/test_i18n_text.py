"""Text put together from pieces reads right in each language."""

from __future__ import annotations

from app.i18n import join_list


def test_arabic_lists_use_the_arabic_comma() -> None:
    assert join_list(["نقدا", "صك"], "ar") == "نقدا، صك"
    assert join_list(["Espèces", "Chèque"], "fr") == "Espèces, Chèque"
    assert join_list(["Cash"], "en") == "Cash"
    assert join_list([], "ar") == ""
