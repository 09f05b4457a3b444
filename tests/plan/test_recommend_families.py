"""Recommendations are distinct products: sizes and colours of one product count once, and a customer's second
email of the month recommends other products than the first (issue 13, plan-emails)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiercli.config import load_config
from tiercli.plan.emails import plan_emails
from tiercli.plan.recommend import (
    catalog,
    product_family,
    recommend,
    sku_family,
    title_family,
)
from tiercli.schema.dataset import Dataset, _empty

# ------------------------------------------------------------------------------------------------ the family key


@pytest.mark.parametrize("titles, family", [
    (["Linen Shirt - Blue / M", "Linen Shirt - Red / L", "Linen Shirt - White / XS"], "linen shirt"),
    (["Linen Duvet Cover - King / Oat", "Linen Duvet Cover - Queen / Sage"], "linen duvet cover"),
    (["Soy Candle 8oz - Fig Leaf", "Soy Candle 8oz - Sea Salt"], "soy candle"),
    (["WHITE HANGING HEART T-LIGHT HOLDER", "RED HANGING HEART T-LIGHT HOLDER"], "hanging heart t light holder"),
    (["PINK AND WHITE CHRISTMAS TREE 120CM", "BLACK CHRISTMAS TREE 60CM", "Dusty Pink Christmas Tree 30cm"],
     "christmas tree"),
    (["Men's Running Shoe, Navy Blue, Size 10", "Men's Running Shoe, Black, Size 9.5"], "men running shoe"),
    (["Custom Embroidered Patch 3in Iron-on Navy Blue", "Custom Embroidered Patch 2in Sew-on Hot Pink",
      "Custom Embroidered Patch 4in Hook-and-Loop White"], "custom embroidered patch"),
    (["Off-White Tee Large", "Tee (Rose Gold, 2XL)", "Tee - Black / S"], "tee"),
    (["Socks Pack of 3 Grey", "Socks 3-Pack Black"], "socks"),
    (["女士连衣裙 红色 XL", "女士连衣裙 藏青色 均码", "女士连衣裙 白色 S码"], "女士连衣裙"),
    (["纯棉T恤-白色-M", "纯棉T恤XL黑色", "纯棉Ｔ恤 大号 灰色"], "纯棉 t 恤"),
])
def test_variants_of_one_product_share_a_title_family(titles, family):
    assert title_family(pd.Series(titles)).tolist() == [family] * len(titles)


@pytest.mark.parametrize("a, b", [
    ("Linen Shirt - Blue / M", "Linen Trousers - Blue / M"),
    ("WHITE HANGING HEART T-LIGHT HOLDER", "WHITE HEART WREATH"),
    ("Embroidered Keychain Star Black", "Embroidered Applique Star Black"),
    ("2-in-1 Charger White", "Charger White"),
    ("女士连衣裙 红色 XL", "女士衬衫 红色 XL"),
])
def test_different_products_keep_different_families(a, b):
    fa, fb = title_family(pd.Series([a, b])).tolist()
    assert fa != fb


def test_a_title_that_is_only_variant_words_keeps_itself_and_missing_stays_missing():
    out = title_family(pd.Series(["Red", "XL", None, "  "], dtype="object"))
    assert out.iloc[:2].tolist() == ["red", "xl"]
    assert out.iloc[2:].isna().all()


def test_sku_family_strips_variant_segments_and_stock_code_suffixes():
    skus = pd.Series(["ABC123-RED-XL", "ABC123-BLK-M", "85123A", "85123b", "EP3-IR-WH", "RED-100", None, "POST"])
    assert sku_family(skus).tolist()[:6] == ["abc123", "abc123", "85123", "85123", "ep3-ir-wh", "red-100"]
    assert pd.isna(sku_family(skus).iloc[6]) and sku_family(skus).iloc[7] == "post"


def test_product_family_joins_title_and_sku_keys_transitively_and_keeps_the_index():
    product = pd.Series(["WHITE MUG", "BLUE MUG", "JUG", None, "LAMP"], index=[10, 11, 12, 13, 14], dtype="object")
    sku = pd.Series(["1111A", "2222", "1111B", "2222B", None], index=[10, 11, 12, 13, 14], dtype="object")
    fam = product_family(product, sku)
    assert list(fam.index) == [10, 11, 12, 13, 14]
    # mugs by title, WHITE MUG ~ JUG by stock code 1111, BLUE MUG ~ (no title) by 2222: one product
    assert fam.loc[[10, 11, 12, 13]].tolist() == ["jug"] * 4 and fam.loc[14] == "lamp"
    # SKU-only lines (no title) group by their SKU key
    only_sku = product_family(pd.Series([None, None, None], dtype="object"),
                              pd.Series(["TS-RED-XL", "TS-BLU-M", "MUG-01"]))
    assert only_sku.iloc[0] == only_sku.iloc[1] != only_sku.iloc[2]


_BASES = ["Canvas Tote", "Wool Scarf", "Linen Shirt", "Denim Jacket", "Ceramic Vase", "Bamboo Tray", "Leather Wallet",
          "Cotton Hoodie", "Glass Jar", "Oak Stool"]
_COLOURS = ["Red", "Navy Blue", "Hot Pink", "Off-White", "Olive", "Charcoal", "Sky Blue", "Gold", "Black", "Grey"]
_SIZES = ["S", "M", "XL", "2XL", "Small", "Large", "30cm", "8oz", "One Size", "Size 42"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BASES), st.sampled_from(_COLOURS), st.sampled_from(_SIZES),
                          st.sampled_from(["shopify", "trailing", "leading"])), min_size=1, max_size=30))
def test_family_is_exactly_the_product_whatever_the_variant_spelling(rows):
    titles = [f"{b} - {c} / {s}" if how == "shopify" else f"{b} {c} {s}" if how == "trailing" else f"{c} {b} {s}"
              for b, c, s, how in rows]
    fam = product_family(pd.Series(titles, dtype="object"), pd.Series([None] * len(rows), dtype="object"))
    bases = pd.Series([b for b, *_ in rows])
    # same base <=> same family
    assert (fam.groupby(bases).nunique() == 1).all()
    assert fam.nunique() == bases.nunique()


# ------------------------------------------------------------------------------------------------ a generated store

_STORE = {  # product -> (price, category); every product comes in colours x sizes
    "Linen Shirt": (40.0, "Apparel"), "Linen Trousers": (45.0, "Apparel"), "Cotton Tee": (30.0, "Apparel"),
    "Canvas Tote": (35.0, "Bags"), "Wool Scarf": (38.0, "Apparel"), "Silk Tie": (42.0, "Apparel"),
    "Denim Cap": (33.0, "Apparel"), "Rain Jacket": (44.0, "Apparel"),
}
_VARIANTS = [("Blue", "S"), ("Blue", "M"), ("Red", "M"), ("White", "L"), ("Black", "XL")]


def _store(seed: int = 1, customers: int = 30):
    """A Shopify-like store: lines "Title - Colour / Size" with SKUs, customers buying mostly one product."""
    rng = np.random.default_rng(seed)
    names = list(_STORE)
    rows = []
    for c in range(customers):
        favourite = names[c % len(names)]
        for o in range(int(rng.integers(1, 4))):
            date = pd.Timestamp("2026-01-01") + pd.Timedelta(days=int(rng.integers(0, 280)))
            for _ in range(int(rng.integers(1, 4))):
                title = favourite if rng.random() < 0.7 else names[int(rng.integers(len(names)))]
                colour, size = _VARIANTS[int(rng.integers(len(_VARIANTS)))]
                price, cat = _STORE[title]
                rows.append({"customer": f"c{c:02d}", "order_id": f"#{c:02d}{o}", "date": date, "status": "paid",
                             "is_sample": False, "product": f"{title} - {colour} / {size}",
                             "sku": f"{''.join(w[:2] for w in title.split()).upper()}-{colour[:3].upper()}-{size}",
                             "category": cat, "quantity": 1.0, "unit_price": price, "line_value": price,
                             "title": title})
    lines = pd.DataFrame(rows)
    dataset = Dataset(lines=lines, orders=_empty("orders"), inquiries=_empty("inquiries"), events=_empty("events"),
                      customers=_empty("customers"), after_sales=_empty("after_sales"),
                      contacts=_empty("contacts"), files=[], problems=[], currency="USD")
    customers = pd.DataFrame({"buyer_type": "consumer"}, index=pd.Index(sorted(lines["customer"].unique())))
    title_of = lines.drop_duplicates("product").set_index("product")["title"]
    return dataset, customers, title_of


@pytest.fixture(scope="module")
def config():
    return load_config(None, env={})


def test_variants_collapse_to_one_recommendation_per_product(config):
    dataset, customers, title_of = _store()
    recs = recommend(dataset, customers, customers.index, config)
    assert len(recs) and (recs["nth"] == 1).all()
    titles = recs["product"].map(title_of)
    assert not titles.isna().any()
    # every customer's email names distinct products, and fills its three places
    assert (recs.assign(t=titles).groupby("customer_id")["t"].nunique() == recs.groupby("customer_id").size()).all()
    assert (recs.groupby("customer_id").size() == 3).all()
    assert list(recs.groupby("customer_id")["rank"].max()) == [3] * recs["customer_id"].nunique()


def test_the_second_email_recommends_other_products_than_the_first(config):
    dataset, customers, title_of = _store(seed=7)
    emails = pd.Series(2, index=customers.index[::2]).reindex(customers.index).fillna(1).astype("int64")
    recs = recommend(dataset, customers, customers.index, config, emails=emails)
    recs = recs.assign(title=recs["product"].map(title_of))
    per = recs.groupby("customer_id")["nth"].max()
    assert (per.reindex(emails.index) <= emails).all()
    assert (per[emails[emails == 2].index] == 2).all()  # 8 products, 3 + 3 fit
    for cid, mine in recs.groupby("customer_id"):
        assert list(mine["rank"]) == list(range(1, len(mine) + 1))
        assert (mine["nth"] == (mine["rank"] - 1) // 3 + 1).all()
        assert mine["title"].is_unique, cid  # neither inside an email nor across the two
    # the first email keeps the best products: the second's ranks all come after the first's
    assert recs.loc[recs["nth"] == 2, "rank"].min() == 4


def test_customers_without_orders_get_distinct_best_sellers(config):
    dataset, customers, title_of = _store(seed=3)
    cold = pd.Index(["new1", "new2"])
    customers = pd.concat([customers, pd.DataFrame({"buyer_type": "consumer"}, index=cold)])
    recs = recommend(dataset, customers, cold, config, emails=pd.Series([2, 1], index=cold))
    titles = recs["product"].map(title_of)
    assert recs.groupby("customer_id").size().to_dict() == {"new1": 6, "new2": 3}
    assert titles[recs["customer_id"].eq("new1")].is_unique and titles[recs["customer_id"].eq("new2")].is_unique


# ------------------------------------------------------------------------------------------------ the bundled examples


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quota=st.integers(min_value=20, max_value=300), which=st.sampled_from(["alibaba", "shopify"]))
def test_no_email_of_a_plan_repeats_a_product(quota, which, request):
    result = request.getfixturevalue(which)
    plan = plan_emails(result, quota=quota)
    cat = catalog(result.dataset, result.customers).set_index("item")
    recs = plan.recommendations.assign(family=lambda r: r["item"].map(cat["family"]))
    assert recs["family"].notna().all()
    # one item of a family per email, and a customer's two emails share no family
    assert not recs.duplicated(["customer_id", "nth", "family"]).any()
    assert not recs.duplicated(["customer_id", "family"]).any()
    assert (recs.groupby(["customer_id", "nth"]).size() <= int(result.config["plan.recommendations"])).all()
    # the plan's text is each email's own list
    text = recs.sort_values("rank").groupby(["customer_id", "nth"])["product"].agg("; ".join)
    shown = plan.plan.set_index(["customer_id", "nth"])["recommended"]
    assert (shown.reindex(text.index) == text).all()
    assert shown.drop(text.index, errors="ignore").eq("").all()


def test_second_emails_on_the_shopify_example_name_other_products(shopify):
    plan = plan_emails(shopify, quota=300).plan
    two = plan[plan["customer_id"].duplicated(keep=False)]
    assert len(two) > 0
    for cid, mine in two.groupby("customer_id"):
        first, second = (mine.sort_values("nth")["recommended"].str.split("; ").tolist())
        # Shopify line names are "Title - Variant": compare the titles, independently of product_family
        assert not {x.rsplit(" - ", 1)[0] for x in first if x} & {x.rsplit(" - ", 1)[0] for x in second if x}, cid
    assert (two.loc[two["nth"] == 2, "recommended"] != "").mean() > 0.5


def test_a_plain_export_whose_titles_share_every_word_plans_without_crashing(tmp_path):
    # no category column, titles that differ only by size: no candidate of either kind (was exit 1)
    from click.testing import CliRunner

    from tiercli.cli import cli

    path = tmp_path / "patch.csv"
    path.write_text("Order ID,Order Date,Email,Product,Quantity,Unit Price\n1,2024-01-05,a@x.com,Patch 3in,1,18\n"
                    "2,2024-02-05,b@x.com,Patch 4in,1,18\n3,2024-03-05,a@x.com,Patch 5in,2,18\n"
                    "4,2024-03-06,c@x.com,Patch 3in,1,18\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["plan-emails", str(path), "--quota", "5", "-o", str(tmp_path / "p.csv"), "-q"])
    assert run.exit_code == 0, run.output
