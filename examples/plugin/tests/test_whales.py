"""The plugin's own tests: tiercli's segmenter checks, as a built-in passes them."""

from tiercli.testing import parametrize_with_checks

from tiercli_whales import Whales


@parametrize_with_checks([Whales])
def test_whales_passes_tiercli_checks(segmenter, check):
    check(segmenter)
