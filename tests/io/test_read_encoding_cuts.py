"""Encoding detection on the head of a big export: a cut inside a character never decides, and a head that
cannot settle the encoding is confirmed on the rest of the file (issue 14).

The files are made here, in tmp_path: over 1 MiB each, so the 1 MiB head the reader judges is a cut."""

from __future__ import annotations

import random
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiercli.io.read import detect_encoding, read_file
from tiercli.io.read import encoding as reader

ZH_HEADER = ["订单号", "下单时间", "买家ID", "商品名称", "数量", "实付金额", "收货国家", "订单状态"]
ZH_PRODUCTS = ["蓝牙耳机", "手机壳 硅胶 透明", "不锈钢保温杯500ml", "儿童玩具车", "女士连衣裙 夏季 碎花", "男士运动鞋",
               "瑜伽垫", "LED台灯", "厨房收纳架", "宠物牵引绳", "羽绒服 加厚", "笔记本电脑支架", "婴儿湿巾 80抽",
               "汽车座椅套", "陶瓷花瓶", "户外帐篷 3-4人", "électrique 电动牙刷"]
ZH_STATUS = ["交易完成", "已发货", "等待买家付款", "已取消", "已退款"]
WEST_HEADER = ["Order ID", "Order Date", "Customer ID", "Catégorie", "Produit", "Quantité", "Montant", "Pays"]
WEST_PRODUCTS = ["Café crème", "Thé glacé", "Crème brûlée", "Jürgen's Müsli", "Pâté de campagne", "Smørrebrød",
                 "Señorita hat", "Weißbier glass", "Ærøskøbing mug", "Zoë's scarf", "Plain T-shirt", "Größe XL"]
WEST_CATEGORIES = ["Küche", "Vêtements", "Décoration", "Jouets", "Boissons", "Accessoires"]


def export_lines(encoding: str, size: int, seed: int, pad: int = 0) -> tuple[list[str], list[str], list[str]]:
    """(header, lines, product cells) of an order export of at least ``size`` bytes in ``encoding``."""
    kind = "west" if encoding == "cp1252" else "zh"
    rng = random.Random(seed)
    header = WEST_HEADER if kind == "west" else ZH_HEADER
    lines, products, total, i = [",".join(header)], [], 0, 0
    while total < size:
        i += 1
        date = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00"
        if kind == "west":
            product = rng.choice(WEST_PRODUCTS) + " " * rng.randrange(pad + 1)
            line = (f"{700000 + i},{date},C{rng.randrange(9999):04d},{rng.choice(WEST_CATEGORIES)},{product},"
                    f"{1 + i % 5},{rng.randrange(100, 99999) / 100:.2f},{rng.choice(['FR', 'DE', 'DK', 'ES'])}")
        else:
            product = rng.choice(ZH_PRODUCTS) + " " * rng.randrange(pad + 1)
            line = (f"{8000000 + i},{date},B{rng.randrange(99999):05d},{product},{1 + i % 5},"
                    f"{rng.randrange(100, 99999) / 100:.2f},{rng.choice(['US', '德国', '俄罗斯', 'FR'])},"
                    f"{rng.choice(ZH_STATUS)}")
        lines.append(line)
        products.append(product)
        total += len(line.encode(encoding)) + 2
    return header, lines, products


def write_export(path: Path, encoding: str, size: int, seed: int, pad: int = 0) -> tuple[list[str], list[str]]:
    header, lines, products = export_lines(encoding, size, seed, pad)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return header, products


def read_with_head(path: Path, head: int):
    """read_file judging the encoding on the first ``head`` bytes (the 1 MiB cut, moved)."""
    with mock.patch.object(reader, "SAMPLE_BYTES", head):
        tables = read_file(path)
    assert len(tables) == 1
    return tables[0]


def cuts_inside_a_character(data: bytes, encoding: str, rng: random.Random, n: int) -> list[int]:
    """n cut points that split a multi-byte character (the cuts that used to decide)."""
    cuts = []
    while len(cuts) < n:
        cut = rng.randrange(len(data) // 2, len(data) - 1)
        try:
            data[:cut].decode(encoding)
        except UnicodeDecodeError:
            cuts.append(cut)
    return cuts


@pytest.fixture(scope="module")
def gb18030_export(tmp_path_factory) -> tuple[Path, list[str], list[str]]:
    path = tmp_path_factory.mktemp("cuts") / "orders_gb18030.csv"
    header, products = write_export(path, "gb18030", 1_400_000, seed=14)
    assert path.stat().st_size > 1 << 20
    return path, header, products


def test_a_hundred_random_cuts_of_a_gb18030_export_all_judge_gb18030(gb18030_export):
    """Before issue 14, 13 of these 100 cuts made the file unreadable ("cannot tell the file's text encoding")."""
    path, _, _ = gb18030_export
    data = path.read_bytes()
    rng = random.Random(100)
    judged = []
    for _ in range(100):
        cut = rng.randrange(1 << 19, len(data) - 1)
        with mock.patch.object(reader, "SAMPLE_BYTES", cut):
            judged.append(reader.detect_encoding_of(path, data[:cut]))
    assert judged == ["gb18030"] * 100


def test_a_cut_inside_a_character_reads_the_whole_export(gb18030_export):
    path, header, products = gb18030_export
    data = path.read_bytes()
    for cut in cuts_inside_a_character(data, "gb18030", random.Random(3), 4):
        raw = read_with_head(path, cut)
        assert raw.encoding == "gb18030"
        assert list(raw.frame.columns) == header
        assert raw.frame["商品名称"].tolist() == products


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoding=st.sampled_from(["gb18030", "gbk", "utf-8", "utf-8-sig", "cp1252"]),
       size=st.integers(1_100_000, 1_500_000), seed=st.integers(0, 2**16), pad=st.integers(0, 3),
       head=st.one_of(st.just(1 << 20), st.integers(1 << 16, 1_100_000)))
def test_every_export_reads_with_its_headers_wherever_the_head_is_cut(tmp_path, encoding, size, seed, pad, head):
    """Exports over 1 MiB (Chinese product names in GB18030/GBK/UTF-8, accented ones in cp1252; trailing
    spaces move every later byte), the head the encoding is judged on cut anywhere."""
    path = tmp_path / "orders.csv"
    header, products = write_export(path, encoding, size, seed, pad)
    raw = read_with_head(path, head)
    assert raw.encoding == {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert list(raw.frame.columns) == header
    assert raw.frame[header[4] if encoding == "cp1252" else header[3]].tolist() == products


def test_the_public_detector_trims_a_cut_sample():
    text = "订单号,商品名称\n1,蓝牙耳机\n2,瑜伽垫\n".encode("gb18030") * 200
    for cut in range(len(text) - 40, len(text)):
        assert detect_encoding(text[:cut], complete=False) == "gb18030"


def test_a_head_with_little_non_ascii_text_is_confirmed_on_the_rest(tmp_path, monkeypatch):
    """cp1252 whose first MiB holds a few accents, each followed by a letter (so GB18030 reads them too):
    the head cannot settle it, the rest of the file does."""
    path = tmp_path / "orders.csv"
    lines = ["Order ID,Order Date,Customer ID,Name,Amount"]
    lines += [f"{i},2025-01-{1 + i % 28:02d},C{i},{'Jürgen' if i % 5000 == 7 else 'Smith'},{i % 90}.50"
              for i in range(1, 30_000)]
    lines += [f"{i},2025-02-01,C{i},{['Zoë', 'Côté', 'Müller', 'Peña'][i % 4]},{i % 90}.50"
              for i in range(30_000, 32_000)]
    path.write_bytes("\n".join(lines).encode("cp1252"))
    assert path.stat().st_size > 1 << 20
    calls = []
    judge = reader.judge_file
    monkeypatch.setattr(reader, "judge_file", lambda *a, **k: calls.append(a) or judge(*a, **k))
    raw = read_file(path)[0]
    assert calls, "the head was unsure: the rest of the file must be looked at"
    assert raw.encoding == "cp1252"
    assert raw.frame["Name"].iloc[-4:].tolist() == ["Zoë", "Côté", "Müller", "Peña"]


def test_an_ascii_head_over_gb18030_text_is_read_as_gb18030(tmp_path):
    path = tmp_path / "orders.csv"
    lines = ["Order ID,Order Date,Customer ID,Product,Amount"]
    lines += [f"{i},2025-01-01,C{i},plain cup,9.50" for i in range(1, 40_000)]
    lines += [f"{i},2025-02-01,C{i},{ZH_PRODUCTS[i % len(ZH_PRODUCTS)]},9.50" for i in range(40_000, 40_100)]
    path.write_bytes("\n".join(lines).encode("gb18030"))
    assert path.stat().st_size > 1 << 20
    raw = read_file(path)[0]
    assert raw.encoding == "gb18030"
    assert raw.frame["Product"].iloc[-1] == ZH_PRODUCTS[40_099 % len(ZH_PRODUCTS)]


def test_a_clear_head_is_not_read_again(gb18030_export, monkeypatch):
    """Speed: a head full of Chinese settles the encoding; the file is read once, by the parser."""
    path, header, _ = gb18030_export

    def never(*args, **kwargs):
        raise AssertionError("the head settled it: no second pass over the file")

    monkeypatch.setattr(reader, "judge_file", never)
    assert list(read_file(path)[0].frame.columns) == header


@pytest.mark.parametrize("encoding, names", [
    ("gb18030", ["蓝牙耳机 黑色"]),  # one product a thousand times: charset_normalizer alone says Ukrainian (cp1251)
    ("gb18030", ["交易完成", "已发货"]),
    ("cp1251", ["Иван Петров", "Москва", "Наушники беспроводные", "доставлен"]),
    ("big5", ["藍牙耳機 黑色", "瑜伽墊", "已發貨"]),
    ("cp1252", ["Zoë", "Müller", "Café crème", "Peña"]),
])
def test_few_distinct_names_repeated_are_read_in_their_own_encoding(tmp_path, encoding, names):
    path = tmp_path / "orders.csv"
    rows = [f"{i},2025-01-01,C{i},{names[i % len(names)]},9.50" for i in range(3000)]
    path.write_bytes("\n".join(["Order ID,Order Date,Customer ID,Product,Amount", *rows]).encode(encoding))
    raw = read_file(path)[0]
    assert raw.encoding == {"big5": "big5"}.get(encoding, encoding)
    assert raw.frame["Product"].tolist()[: len(names)] == names


def test_a_head_of_one_repeated_chinese_name_is_settled_without_a_second_pass(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    rows = [f"{i},2025-01-01,B{i},蓝牙耳机 黑色,1,9.50,交易完成" for i in range(40_000)]
    path.write_bytes("\n".join(["订单号,下单时间,买家ID,商品名称,数量,实付金额,订单状态", *rows]).encode("gb18030"))
    assert path.stat().st_size > 1 << 20

    def never(*args, **kwargs):
        raise AssertionError("the head settled it: no second pass over the file")

    monkeypatch.setattr(reader, "judge_file", never)
    assert read_file(path)[0].encoding == "gb18030"
