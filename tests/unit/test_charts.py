from channel.charts import pyramid_bands


def test_a_pyramid_label_too_wide_for_the_narrow_top_is_squeezed_into_it_and_others_are_left_alone():
    drawing = pyramid_bands([("National agent · 1", "¥0.00"), ("Provincial agent · 20", "¥326,880.87"),
                             ("City agent · 50", "¥883,230.93"), ("Reseller · 329", "¥5,149,132.78")])
    top, *rest = drawing["bands"]
    assert 0 < top["texts"][0]["fit"] < 130 and top["texts"][1]["fit"] is None
    assert all(line["fit"] is None for band in rest for line in band["texts"])
    assert drawing["height"] == 4 * 56 + 4


def test_chinese_level_names_fit_the_top_band_as_they_are():
    drawing = pyramid_bands([("总代理 · 1", "¥0.00"), ("省代 · 20", "¥1.00"), ("市代 · 50", "¥1.00")])
    assert all(line["fit"] is None for band in drawing["bands"] for line in band["texts"])
