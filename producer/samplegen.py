"""Seeded generator of Online Retail II look-alike CSVs: the shipped sample and bigger benchmark inputs.

The real dataset (1,067,371 rows, CC BY 4.0, UCI "Online Retail II") cannot be downloaded here, so the
project ships a sample with its header, its shape and its mess, written by this script:

    python -m producer.samplegen                       # rewrites producer/data/online_retail_sample.csv
    python -m producer.samplegen --rows 1000000 -o /tmp/big.csv

The same seed and row count always give the same bytes. The mess reproduced: descriptions with commas,
double quotes (inches), trailing and doubled spaces, non-ASCII letters and £; empty descriptions; `Customer ID`
empty on about a quarter of rows and float-looking elsewhere (`13085.0`); cancellations (`C` invoices,
negative quantities); stock adjustments (negative quantity, price 0, no customer); `A` bad-debt invoices
with a negative price; zero prices; non-product stock codes (POST, M, D, C2, DOT, BANK CHARGES,
AMAZONFEE, ADJUST, TEST001, gift vouchers, PADS, B, S). Every row is valid for the data contract.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tools.cli_base import Exit, Parser

HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "data" / "online_retail_sample.csv"
DEFAULT_ROWS = 5000
DEFAULT_SEED = 20091201

FIRST_INVOICE = 489434
START = datetime(2009, 12, 1, 7, 45)
DAYS = 739  # 2009-12-01 to 2011-12-09, as the real data
OPEN_HOUR, SHOP_HOURS = 7, 13  # invoices between 07:00 and 20:00
MEAN_LINES = 20

# Real descriptions, messy ones included (trailing spaces, commas, inch quotes), plus a few with
# non-ASCII letters (synthetic: the real file is almost all ASCII, but the pipeline must carry UTF-8).
DESCRIPTIONS = (
    "WHITE HANGING HEART T-LIGHT HOLDER",
    "REGENCY CAKESTAND 3 TIER",
    "JUMBO BAG RED RETROSPOT",
    "PARTY BUNTING",
    "ASSORTED COLOUR BIRD ORNAMENT",
    "LUNCH BAG RED RETROSPOT",
    "SET OF 3 CAKE TINS PANTRY DESIGN ",
    "PACK OF 72 RETROSPOT CAKE CASES",
    "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
    "PINK CHERRY LIGHTS",
    "WHITE CHERRY LIGHTS",
    'RECORD FRAME 7" SINGLE SIZE ',
    'PHOTO FRAME 3 CLASSIC HANGING 4"X6"',
    "STRAWBERRY CERAMIC TRINKET BOX",
    "SAVE THE PLANET MUG",
    "FANCY FONT HOME SWEET HOME DOORMAT",
    "CAT BOWL ",
    "DOG BOWL , CHASING BALL DESIGN",
    "HEART MEASURING SPOONS LARGE",
    "LUNCHBOX WITH CUTLERY FAIRY CAKES ",
    "DOOR MAT BLACK FLOCK ",
    "LOVE BUILDING BLOCK WORD",
    "HOME BUILDING BLOCK WORD",
    "PAPER CHAIN KIT 50'S CHRISTMAS ",
    "HAND WARMER RED LOVE HEART",
    "WOODEN FRAME ANTIQUE WHITE ",
    "SET/6 RED SPOTTY PAPER PLATES",
    "SET OF 6 T-LIGHTS SANTA",
    "ROTATING SILVER ANGELS T-LIGHT HLDR",
    "BOX OF 6 ASSORTED COLOUR TEASPOONS",
    "ZINC FOLKART SLEIGH BELLS",
    "FELTCRAFT CUSHION OWL",
    "CHARLOTTE BAG , PINK/WHITE SPOTS",
    "SET OF 4 KNICK KNACK TINS, DOILY",
    "GIN + TONIC DIET METAL SIGN",
    "HOT WATER BOTTLE TEA AND SYMPATHY",
    "NATURAL SLATE HEART CHALKBOARD ",
    "WOOD 2 DRAWER CABINET WHITE FINISH",
    "VINTAGE SNAP CARDS",
    "SMALL  POPCORN HOLDER",
    "60 TEATIME FAIRY CAKE CASES",
    "SWEETHEART 3 TIER CAKE STAND ",
    "CAFÉ CHALKBOARD SIGN",
    "CRÈME BRÛLÉE RAMEKIN SET",
    "MÜNCHEN BEER STEIN, BLUE",
)
PRICES = (0.29, 0.42, 0.55, 0.65, 0.85, 1.25, 1.45, 1.65, 1.95, 2.1, 2.55, 2.95, 3.75, 4.25, 4.95, 5.95, 6.95, 7.95)
QUANTITIES = (1, 1, 1, 2, 2, 3, 4, 4, 6, 6, 8, 10, 12, 12, 12, 16, 24, 24, 25, 36, 48, 72, 96, 144)
COUNTRIES = (
    ("United Kingdom", 90),
    ("EIRE", 2),
    ("Germany", 2),
    ("France", 2),
    ("Netherlands", 1),
    ("Spain", 1),
    ("Switzerland", 1),
    ("Channel Islands", 1),
    ("RSA", 1),
    ("Unspecified", 1),
)
ADJUSTMENT_NOTES = ("damaged", "lost", "?", "check", "wet damaged", "found", "sold as set on dotcom", "")


@dataclass(frozen=True)
class Product:
    code: str
    description: str
    price: float


@dataclass(frozen=True)
class Customer:
    id: str  # float-looking, as in the real file: "13085.0"
    country: str


def catalogue(rng: random.Random) -> list[Product]:
    products = []
    for description in DESCRIPTIONS:
        code = str(rng.randint(10002, 90214)) + (rng.choice("ABCDEFGLMNPRSW") if rng.random() < 0.2 else "")
        products.append(Product(code, description, rng.choice(PRICES)))
    return products


def customers(rng: random.Random, count: int = 400) -> list[Customer]:
    names = [name for name, _ in COUNTRIES]
    weights = [weight for _, weight in COUNTRIES]
    ids = rng.sample(range(12346, 18288), count)
    return [Customer(f"{cid}.0", rng.choices(names, weights)[0]) for cid in ids]


def business_time(offset_seconds: float) -> datetime:
    """A moment within shop hours: offset counted in shop-open seconds since the first invoice's day."""
    day, second = divmod(int(offset_seconds), SHOP_HOURS * 3600)
    return START.replace(hour=OPEN_HOUR, minute=0) + timedelta(days=min(day, DAYS - 1), seconds=second)


def generate_rows(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> Iterator[list[str]]:
    """`rows` data rows, in invoice order, deterministic for a seed (header not included)."""
    rng = random.Random(seed)
    products = catalogue(rng)
    people = customers(rng)
    mean_gap = DAYS * SHOP_HOURS * 3600 / max(1, rows / MEAN_LINES)
    clock = float((START.hour - OPEN_HOUR) * 3600 + START.minute * 60)
    number = FIRST_INVOICE
    produced = 0
    while produced < rows:
        when = business_time(clock).strftime("%Y-%m-%d %H:%M:%S")
        for row in invoice(rng, number, when, products, people):
            if produced == rows:
                return
            yield row
            produced += 1
        number += 1
        clock += rng.expovariate(1 / mean_gap)


def invoice(
    rng: random.Random, number: int, when: str, products: Sequence[Product], people: Sequence[Customer]
) -> Iterator[list[str]]:
    """The lines of one invoice: a sale, a cancellation, a stock adjustment or a bad-debt adjustment."""
    kind = rng.random()
    guest = rng.random() < 0.23  # no Customer ID
    person = rng.choice(people)
    customer = "" if guest else person.id
    country = "United Kingdom" if guest else person.country
    if kind < 0.015:  # stock adjustment: negative quantity, price 0, no customer, odd or empty description
        product = rng.choice(products)
        note = rng.choice(ADJUSTMENT_NOTES)
        yield [str(number), product.code, note, str(-rng.choice(QUANTITIES)), when, "0.0", "", "United Kingdom"]
        return
    if kind < 0.018:  # bad debt, as A563185: a negative price
        amount = -round(rng.uniform(1000, 60000), 2)
        yield [f"A{number}", "B", "Adjust bad debt", "1", when, repr(amount), "", "United Kingdom"]
        return
    if kind < 0.022:  # a discount, booked as a cancellation
        price = repr(round(rng.uniform(1, 50), 2))
        yield [f"C{number}", "D", "Discount", "-1", when, price, customer, country]
        return
    cancelled = kind < 0.05
    prefix = "C" if cancelled else ""
    sign = -1 if cancelled else 1
    lines = 1 + min(int(rng.expovariate(1 / (MEAN_LINES - 1))), 120)
    for _ in range(lines):
        special = rng.random()
        if special < 0.01:
            code, description, price, quantity = "POST", "POSTAGE", 18.0, rng.choice((1, 2, 3))
        elif special < 0.014:
            code, description, price, quantity = "M", "Manual", round(rng.uniform(0.1, 300), 2), 1
        elif special < 0.018:
            code, description, price, quantity = "C2", "CARRIAGE", 50.0, 1
        elif special < 0.020:
            code, description, price, quantity = "DOT", "DOTCOM POSTAGE", round(rng.uniform(5, 900), 2), 1
        elif special < 0.021:
            code, description, price, quantity = "BANK CHARGES", "Bank Charges", 15.0, 1
        elif special < 0.022:
            code, description, price, quantity = "AMAZONFEE", "AMAZON FEE", round(rng.uniform(5, 9000), 2), 1
        elif special < 0.023:
            code, description, price, quantity = (
                "ADJUST",
                f"Adjustment by john on {when[8:10]}/{when[5:7]}/{when[:4]}",
                4.7,
                1,
            )
        elif special < 0.024:
            code, description, price, quantity = "TEST001", "This is a test product.", 4.5, 5
        elif special < 0.025:
            value = rng.choice((10, 20, 30, 40, 50))
            code, description, price = f"gift_0001_{value}", f"Dotcomgiftshop Gift Voucher £{value}.00", float(value)
            quantity = 1
        elif special < 0.026:
            code, description, price, quantity = "PADS", "PADS TO MATCH ALL CUSHIONS", 0.001, 1
        elif special < 0.027:
            code, description, price, quantity = "S", "SAMPLES", round(rng.uniform(1, 100), 2), 1
        elif special < 0.035:  # a line with no description and no price, as the real file has
            product = rng.choice(products)
            code, description, price, quantity = product.code, "", 0.0, rng.choice(QUANTITIES)
        else:
            product = rng.choice(products)
            code, description, price = product.code, product.description, product.price
            quantity = rng.choice(QUANTITIES) if rng.random() > 0.003 else rng.choice((480, 1200, 4800))
        yield [f"{prefix}{number}", code, description, str(sign * quantity), when, repr(price), customer, country]


def write_sample(path: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> int:
    """Write the header and `rows` rows to `path`; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows, seed))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="samplegen", command="python -m producer.samplegen", description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="default: the shipped sample")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"data rows (default: {DEFAULT_ROWS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error(f"--rows must be 0 or more, got {args.rows}")
    try:
        write_sample(args.output, args.rows, args.seed)
    except OSError as exc:
        print(f"samplegen: error: cannot write {str(args.output)!r}: {exc.strerror or exc}", file=sys.stderr)
        return Exit.ERROR
    print(f"samplegen: wrote {args.rows} rows to {args.output}")
    return Exit.OK


if __name__ == "__main__":
    raise SystemExit(main())
