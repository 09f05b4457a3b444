"""Products to put in a customer's email, from their own history and price band (seed 001).

"如果该客户以往的订单以色彩鲜艳的服装为主,那么推荐的产品也应投其所好;如果客户一直以来购买的商品总价都不高,
就尽量向其推荐平价产品" — an item is relevant when it is in the customer's categories or shares words of the
products they bought (colours, materials, styles); it must cost about what they usually pay per unit; and it
is never one of the products of their last order.  Customers without orders get items matching the products
they sampled, asked about (inquiries) or looked at (visitor events), with no price band; with none of those,
the store's best sellers.

Prices differ by kind of buyer (a wholesaler pays 0.80 for a patch a consumer pays 4.00 for), so an item's
price is the median unit price paid by buyers of the customer's own kind (B2B or C), else by everyone.
All of it is merges and group-bys over (customer, item) pairs of the planned recipients only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..schema.dataset import Dataset

REC_COLUMNS = ["customer_id", "nth", "rank", "item", "product", "sku", "category", "price", "usual_price", "relevance"]
_WORD = r"([^\W\d_]{3,})"


def _words(text: pd.Series) -> pd.DataFrame:
    """(row index, word) pairs: lower-cased letter runs of 3+ characters, each once per row."""
    found = text.astype("str").str.lower().str.extractall(_WORD)
    if not len(found):
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "word": pd.Series(dtype="str")})
    out = found.reset_index()[["level_0", 0]].rename(columns={"level_0": "row", 0: "word"})
    return out.drop_duplicates()


# ------------------------------------------------------------------------------------------------ product families
# Sizes, colours and backings of one product are one "family": an email recommends at most one item of a family,
# and a customer's second email of the month none of the families of the first.  The key is read from the title
# (Shopify "Linen Shirt - Blue / M", Amazon/ERP "... Navy Blue XL", UCI "WHITE HANGING HEART T-LIGHT HOLDER",
# 连衣裙 红色 均码) and from the SKU (ABC123-RED-XL, UCI stock code 85123A); items sharing either key are one family.

_COLOUR_MOD = (r"(?:light|dark|bright|neon|hot|royal|sky|navy|forest|pale|deep|pastel|dusty|dusky|baby|rose|wine|mint"
               r"|lime|ice|off|jet|army|sea|powder|steel|pearl|metallic|matte?)")
_COLOUR = (r"(?:black|white|red|blue|green|yellow|orange|purple|violet|pink|brown|gr[ae]y|beige|tan|khaki|navy|teal"
           r"|turquoise|aqua|cyan|magenta|maroon|burgundy|gold(?:en)?|silver|bronze|copper|ivory|cream|charcoal|olive"
           r"|coral|peach|lavender|lilac|mauve|plum|fuchsia|indigo|camel|nude|taupe|sand|rust|mustard|emerald|ruby"
           r"|natural|clear|transparent|ecru|oatmeal|sage|terracotta|slate"
           r"|multi[\s-]?colou?r(?:ed|s)?|colou?r(?:ed|s)?|assorted)")
_ONE_COLOUR = rf"(?:{_COLOUR_MOD}[\s-]*)*{_COLOUR}"
# "navy blue", "pink/white", "pink and white", "blue on brown": one run of colour words
_COLOURS_RE = rf"\b{_ONE_COLOUR}(?:\s*(?:/|&|\+|-|\band\b|\bon\b)?\s*{_ONE_COLOUR})*\b"
_UNIT = r"(?:in|inch|inches|cm|mm|m|ml|l|oz|fl\s?oz|g|kg|lb|lbs|ft|\"|'')"
_NUM = r"\d+(?:[.,]\d+)?"
_SIZES_RE = (
    rf"\b{_NUM}\s*(?:[x×*]\s*{_NUM}\s*)*{_UNIT}(?!\w)(?!\s*-?\s*\d)"  # 3in, 8oz, 30cm, 40 x 60 cm (not 3-in-1)
    rf"|\b{_NUM}\s*[x×*]\s*{_NUM}\b"
    rf"|\b(?:size|eu|us|uk)\s*:?\s*(?:{_NUM}|x{{0,4}}[sml]|[2-6]xl)\b"  # size 42, EU 38, size M
    rf"|\b(?:pack|set)\s+of\s+\d+\b|\b\d+\s*[-\s]?(?:pack|pk|pcs?|pieces|count|ct)\b"  # pack of 2, 3-pack
    r"|\b(?:x{0,4}[sl]|m|[2-6]x[sl]?|xxs|os|one[\s-]?size|free[\s-]?size|plus[\s-]?size"
    r"|(?:extra|x)[\s-]?(?:small|large)|small|medium|large|petite|king|queen|twin|size)\b"
)
# how a patch or badge is attached is an option of one product too ("Patch 3in Iron-on" / "Sew-on" / "Hook-and-Loop")
_BACKING_RE = (r"\b(?:(?:self[\s-]?)?adhesive|iron[\s-]?on|sew[\s-]?on|stick[\s-]?on|glue[\s-]?on|pin[\s-]?(?:back|on)"
               r"|hook[\s-]?(?:and|&)[\s-]?loop|velcro)(?:\s+backing)?\b|烫画|熨烫|背胶|魔术贴|缝制")
_ZH_RE = (r"(?:浅|深|亮|暗|淡|天|宝|藏|墨|酒|玫|荧光|军|湖|雾|烟|奶|乳|象牙|玫瑰|香槟)?"
          r"(?:红|蓝|黑|白|绿|黄|粉|紫|灰|橙|棕|褐|米|金|银|青|杏|驼|咖啡|咖|卡其|藏青|香槟|彩|多|混|本)色系?"
          r"|均码|加大码|特大码|大码|加大|加肥|特大号|超大号|大号|中号|小号|尺码|码数|颜色分类|颜色|尺寸|规格"
          r"|[smlx\d]+码|\d+号")
_CJK = r"\u3400-\u9fff"
_SKU_TOKEN = (r"(?:black|white|red|blue|green|yellow|orange|purple|pink|brown|gr[ae]y|beige|navy|gold|silver"
              r"|blk|wht|whi|blu|grn|gry|gra|rd|pnk|pur|prp|org|orn|yel|ylw|brn|nvy|nav|slv|gld|bge|bei|mul|mlt"
              r"|x{0,4}[sl]|m|[2-6]xl|sm|md|lg|sml|med|lrg|os|onesize|free"
              rf"|{_NUM}(?:in|cm|mm|ml|oz|g|kg))")


def title_family(product: pd.Series) -> pd.Series:
    """The product-family key of each title: lower case, without the variant part (NA where no title).

    Drops a Shopify-style variant tail (the text after the last " - ": "Linen Shirt - Blue / M" -> "linen
    shirt"), colour words with their shades ("navy blue", "pink/white", "hot pink", 红色, 藏青色), sizes (S..XXL,
    small/medium/large, king/queen, 3in, 8oz, 30cm, 5x8, size 42, pack of 2, 均码, 大号, 38码), the backing of a
    patch (iron-on, sew-on, hook-and-loop) and the words "colour"/"size"/颜色/尺码 themselves; punctuation
    becomes single spaces.  A title that is nothing but
    variant words keeps its whole text as the key.
    """
    text = product.astype("str").str.normalize("NFKC").str.lower().str.strip()
    whole = text.str.replace(r"[\W_]+", " ", regex=True).str.strip()
    key = text.str.replace(r"\s+[-–—]\s+(?!.*\s[-–—]\s).*$", "", regex=True)  # Shopify "Title - Variant"
    key = key.str.replace(_ZH_RE, " ", regex=True)
    # Latin next to Chinese is its own token ("t恤xl" -> "t 恤 xl") so word boundaries find "xl"
    key = key.str.replace(rf"(?<=[{_CJK}])(?=[^\W_{_CJK}])|(?<=[^\W_{_CJK}])(?=[{_CJK}])", " ", regex=True)
    key = key.str.replace(_SIZES_RE, " ", regex=True).str.replace(_COLOURS_RE, " ", regex=True)
    key = key.str.replace(_BACKING_RE, " ", regex=True)
    key = key.str.replace(_SIZES_RE, " ", regex=True)  # a size that followed a colour ("blue / m")
    key = key.str.replace(r"[\W_]+", " ", regex=True).str.strip()
    key = key.where(key.ne(""), whole)
    return key.where(product.notna() & whole.ne(""))


def sku_family(sku: pd.Series) -> pd.Series:
    """The product-family key of each SKU (NA where none): the SKU without its variant parts.

    A stock code of digits and a letter suffix is its digits (UCI 85123A, 85123B -> 85123); a segmented SKU
    loses the colour and size segments after its first one (ABC123-RED-XL, ABC123-BLK-M -> abc123).
    """
    code = sku.astype("str").str.normalize("NFKC").str.strip().str.lower()
    base = code.str.extract(r"^(\d{4,})[a-z]{1,2}$", expand=False)
    key = code.str.replace(rf"[-_/.\s]+{_SKU_TOKEN}(?=[-_/.\s]|$)", "", regex=True)
    key = base.fillna(key)
    return key.where(sku.notna() & code.ne(""))


def product_family(product: pd.Series, sku: pd.Series) -> pd.Series:
    """One family key per row: rows whose titles or SKUs share a family key (``title_family``,
    ``sku_family``) are one product, transitively.  The key shown is the component's smallest title key (else
    its smallest SKU key); a row with neither keeps NA.
    """
    index = product.index
    keys = [title_family(product).reset_index(drop=True), sku_family(sku).reset_index(drop=True)]
    label = pd.Series(np.arange(len(product)), dtype="int64")
    # connected components by label propagation: each round, every row takes the smallest label among rows
    # sharing one of its keys; a few whole-column rounds reach the fixed point
    while True:
        new = label
        for key in keys:
            smallest = new.groupby(key, dropna=True).transform("min")
            new = smallest.where(key.notna(), new).astype("int64")
        if new.equals(label):
            break
        label = new
    name = keys[0].groupby(label).transform("min")
    name = name.fillna(keys[1].groupby(label).transform("min"))
    return pd.Series(name.to_numpy(), index=index, dtype="str", name="family")


def _paid_lines(dataset: Dataset) -> pd.DataFrame:
    lines = dataset.lines
    if not len(lines):
        return pd.DataFrame(columns=["customer", "order_id", "date", "item", "product", "sku", "category", "price",
                                     "value"])
    ok = lines["status"].eq("paid") & ~lines["is_sample"].astype(bool) & lines["customer"].notna()
    ok &= lines["product"].notna() | lines["sku"].notna()
    lines = lines[ok]
    qty = pd.to_numeric(lines["quantity"], errors="coerce")
    value = pd.to_numeric(lines["line_value"], errors="coerce")
    price = pd.to_numeric(lines["unit_price"], errors="coerce")
    price = price.fillna(value / qty.where(qty > 0))
    item = lines["sku"].astype("object").where(lines["sku"].notna(), lines["product"].astype("object"))
    out = pd.DataFrame({
        "customer": lines["customer"].astype("str"), "order_id": lines["order_id"].astype("object"),
        "date": lines["date"], "item": item.astype("str"), "product": lines["product"].astype("object"),
        "sku": lines["sku"].astype("object"), "category": lines["category"].astype("object"),
        "price": price, "value": value.fillna(price * qty).fillna(0.0).clip(lower=0),
    })
    return out.reset_index(drop=True)


def _segment(customers: pd.DataFrame) -> pd.Series:
    kind = customers["buyer_type"] if "buyer_type" in customers else pd.Series(np.nan, index=customers.index)
    return kind.isin(["big_b", "small_b"]).map({True: "b2b", False: "c"}).astype("str")


def catalog(dataset: Dataset, customers: pd.DataFrame) -> pd.DataFrame:
    """Every item sold: name, sku, category, price overall and per kind of buyer, buyers (popularity), and its
    product family (``product_family``: the sizes and colours of one product share it)."""
    lines = _paid_lines(dataset)
    if not len(lines):
        return pd.DataFrame(columns=["item", "product", "sku", "category", "price", "price_b2b", "price_c", "buyers",
                                     "family"])
    seg = lines["customer"].map(_segment(customers)).fillna("c")
    g = lines.groupby("item", sort=True)
    # the name and category an item is most often sold under (ties: alphabetical)
    names = (lines.groupby(["item", "product"], dropna=True).size().reset_index(name="n")
             .sort_values(["item", "n", "product"], ascending=[True, False, True]).drop_duplicates("item")
             .set_index("item")["product"])
    cats = (lines.groupby(["item", "category"], dropna=True).size().reset_index(name="n")
            .sort_values(["item", "n", "category"], ascending=[True, False, True]).drop_duplicates("item")
            .set_index("item")["category"])
    skus = g["sku"].first()
    by_seg = lines.assign(seg=seg).groupby(["item", "seg"])["price"].median().unstack()
    out = pd.DataFrame({"product": names, "sku": skus, "category": cats, "price": g["price"].median(),
                        "buyers": g["customer"].nunique()})
    for s in ("b2b", "c"):
        out[f"price_{s}"] = by_seg[s] if s in by_seg else np.nan
    out["family"] = product_family(out["product"], out["sku"]).fillna(pd.Series(out.index, index=out.index))
    out["product"] = out["product"].fillna(pd.Series(out.index, index=out.index))
    return out.reset_index(names="item")


def recommend(dataset: Dataset, customers: pd.DataFrame, ids, config: Config, emails=None) -> pd.DataFrame:
    """Up to ``plan.recommendations`` items for each email of each customer in ``ids`` (long format, ranked).

    ``emails`` maps a customer id to their number of emails this month (1 when missing or None).  Relevance =
    the customer's value share in the item's category + the mean weight of the item's words in the customer's
    purchases.  A customer's recommendations of the month are distinct products: the best item of each product
    family (``product_family``: sizes and colours count once), the first email taking the best
    ``plan.recommendations`` families and a second email the next ones (``nth``; ``rank`` runs on over the
    month).  Items outside ``[usual / plan.price_band, usual * plan.price_band]`` and the products of the
    customer's last order are never recommended.
    """
    n = max(0, min(10, int(config["plan.recommendations"])))
    band = max(1.0, float(config["plan.price_band"]))
    ids = pd.Index(pd.unique(pd.Series(list(ids), dtype="str")))
    per = pd.Series(1, index=ids, dtype="int64")  # emails per customer
    if emails is not None:
        given = pd.Series(emails)
        given.index = given.index.astype("str")
        per = pd.to_numeric(given[~given.index.duplicated()].reindex(ids), errors="coerce").fillna(1)
        per = per.clip(lower=1).astype("int64")
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in REC_COLUMNS})
    if n == 0 or not len(ids):
        return empty
    cat = catalog(dataset, customers)
    if not len(cat):
        return empty
    lines = _paid_lines(dataset)
    mine = lines[lines["customer"].isin(ids)]

    # interest: categories and words, weighted by the customer's value share
    total = mine.groupby("customer")["value"].transform("sum")
    share = (mine["value"] / total.where(total > 0)).fillna(1.0 / mine.groupby("customer")["value"].transform("size"))
    mine = mine.assign(share=share)
    cat_w = mine.dropna(subset=["category"]).groupby(["customer", "category"], as_index=False)["share"].sum()
    cat_w = cat_w.rename(columns={"share": "w_cat"})

    text = mine[["customer", "product", "share"]].reset_index(drop=True)
    interest = _interest(dataset, ids, set(mine["customer"]))
    if len(interest):
        text = pd.concat([text, interest], ignore_index=True)
    item_words = _words(cat["product"]).assign(item=lambda d: cat["item"].to_numpy()[d["row"].to_numpy()])
    # words on more than half of the catalogue ("custom", "embroidered") tell nothing about taste
    df = item_words.groupby("word")["item"].nunique()
    common = set(df[df > max(1, len(cat) // 2)].index)
    item_words = item_words[~item_words["word"].isin(common)][["item", "word"]]
    cw = _words(text["product"].fillna(""))
    cw = cw.assign(customer=text["customer"].to_numpy()[cw["row"].to_numpy()],
                   w=text["share"].to_numpy()[cw["row"].to_numpy()])
    cw = cw[~cw["word"].isin(common)].groupby(["customer", "word"], as_index=False)["w"].sum()
    cw["w"] = cw["w"].clip(upper=1.0)
    n_words = item_words.groupby("item").size().rename("n_words")
    word_score = (cw.merge(item_words, on="word").groupby(["customer", "item"], as_index=False)["w"].sum()
                  .merge(n_words.reset_index(), on="item"))
    word_score["w_word"] = word_score["w"] / word_score["n_words"]

    cand = cat_w.merge(cat[["item", "category"]], on="category")[["customer", "item", "w_cat"]]
    words = word_score[["customer", "item", "w_word"]]
    # (an outer merge of two empty Arrow-string frames fails: a store with no categories and titles that
    # share all their words has neither kind of candidate)
    if not len(words):
        cand = cand.assign(w_word=0.0)
    elif not len(cand):
        cand = words.assign(w_cat=0.0)
    else:
        cand = cand.merge(words, on=["customer", "item"], how="outer")
    cand = cand.fillna({"w_cat": 0.0, "w_word": 0.0})
    cand["relevance"] = cand["w_cat"] + cand["w_word"]
    cand = cand.merge(cat, on="item")

    # the price of the item for buyers of the customer's kind, and the customer's usual unit price
    seg = cand["customer"].map(_segment(customers)).fillna("c")
    seg_price = np.where(seg.eq("b2b"), cand["price_b2b"], cand["price_c"])
    cand["price"] = pd.Series(seg_price, index=cand.index).fillna(cand["price"])
    usual = mine.groupby("customer")["price"].median()
    cand["usual_price"] = cand["customer"].map(usual).astype("float64")  # (float also when cand is empty)
    has_band = cand["usual_price"].notna() & (cand["usual_price"] > 0)
    in_band = (cand["price"] >= cand["usual_price"] / band) & (cand["price"] <= cand["usual_price"] * band)
    cand = cand[~has_band | in_band]

    # never an item of the customer's last order
    last = _last_order_items(mine)
    if len(last):
        hit = pd.MultiIndex.from_frame(cand[["customer", "item"]]).isin(pd.MultiIndex.from_frame(last))
        cand = cand[~hit]
    # customers with no purchase and no product of interest: the store's best sellers (no price band to keep)
    cold = ids[~ids.isin(list(set(cand["customer"]) | set(mine["customer"])))]
    if len(cold):
        best = (cat.sort_values(["buyers", "item"], ascending=[False, True], kind="stable")
                .drop_duplicates("family").head(n * int(per[cold].max())))
        filler = pd.MultiIndex.from_product([cold, best["item"]], names=["customer", "item"]).to_frame(index=False)
        filler = filler.merge(cat, on="item").assign(relevance=0.0, usual_price=np.nan, w_cat=0.0, w_word=0.0)
        cand = pd.concat([cand, filler[cand.columns]], ignore_index=True)
    distance = np.abs(np.log(cand["price"].astype("float64") / cand["usual_price"].astype("float64")))
    cand = cand.assign(distance=distance.fillna(0.0))
    cand = cand.sort_values(["customer", "relevance", "distance", "buyers", "item"],
                            ascending=[True, False, True, False, True], kind="stable")
    # the best item of each product family, then each email of the customer takes the next n families
    cand = cand.drop_duplicates(["customer", "family"])
    pos = cand.groupby("customer", sort=False).cumcount()
    keep = pos < cand["customer"].map(per).fillna(1).astype("int64") * n
    top, pos = cand[keep], pos[keep]
    top = top.assign(nth=pos // n + 1, rank=pos + 1, relevance=top["relevance"].round(3),
                     price=top["price"].round(2), usual_price=top["usual_price"].round(2))
    return top.rename(columns={"customer": "customer_id"})[REC_COLUMNS].reset_index(drop=True)


def _last_order_items(mine: pd.DataFrame) -> pd.DataFrame:
    """(customer, item) of every line of each customer's latest order (all orders on its latest day and time)."""
    if not len(mine):
        return pd.DataFrame(columns=["customer", "item"])
    latest = mine.groupby("customer")["date"].transform("max")
    last_orders = mine.loc[mine["date"].eq(latest), ["customer", "order_id"]].drop_duplicates()
    keys = pd.MultiIndex.from_frame(last_orders)
    hit = pd.MultiIndex.from_frame(mine[["customer", "order_id"]]).isin(keys)
    return mine.loc[hit, ["customer", "item"]].drop_duplicates().reset_index(drop=True)


def _interest(dataset: Dataset, ids: pd.Index, buyers: set) -> pd.DataFrame:
    """Products sampled, asked about or viewed by customers with no purchase: (customer, product, share)."""
    parts = []
    lines = dataset.lines
    if len(lines):  # the products of their sample orders
        sample = lines[lines["is_sample"].astype(bool) & lines["customer"].notna() & lines["product"].notna()]
        parts.append(sample[["customer", "product"]].astype({"customer": "str"}))
    for table in (dataset.inquiries, dataset.events):
        if len(table) and "product" in table and "customer" in table:
            part = table.loc[table["customer"].notna() & table["product"].notna(), ["customer", "product"]]
            parts.append(part.astype({"customer": "str"}))
    if not parts:
        return pd.DataFrame(columns=["customer", "product", "share"])
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["customer"].isin(ids) & ~rows["customer"].isin(list(buyers))].drop_duplicates()
    rows["share"] = 1.0 / rows.groupby("customer")["product"].transform("size")
    return rows[["customer", "product", "share"]]


def summary_text(recs: pd.DataFrame) -> pd.DataFrame:
    """customer_id, nth, recommended: "Product A; Product B; Product C" for each email (in rank order)."""
    if not len(recs):
        return pd.DataFrame({"customer_id": pd.Series(dtype="str"), "nth": pd.Series(dtype="int64"),
                             "recommended": pd.Series(dtype="str")})
    ordered = recs.sort_values(["customer_id", "rank"])
    text = ordered.groupby(["customer_id", "nth"], sort=False)["product"].agg(lambda s: "; ".join(s.astype("str")))
    return text.rename("recommended").reset_index()
