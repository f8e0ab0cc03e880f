"""The benchmark report sets each throughput target against the bare insert of the same run."""

from bench import report


def _run(scenario: str, per_second: float, pages: list[str], level: int = 50) -> dict:
    page = {"count": 10, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0}
    return {
        "scenario": scenario,
        "concurrency": level,
        "per_second": per_second,
        "pages": {label: page for label in pages},
    }


#: The labels of the dog-tax journey (``bench/load.py``): 11 requests, the upload's POST
#: standing in for a step's POST in every fifth journey.
JOURNEY_PAGES = [
    "offering page GET",
    "start POST",
    "step halter GET",
    "step halter POST",
    "step hund GET",
    "step hund POST",
    "step befreiung GET",
    "step befreiung POST",
    "step befreiung POST (upload)",
    "summary GET",
    "submit POST",
    "confirmation GET",
]


def _database(name: str, runs: list[dict]) -> dict:
    return {"database": name, "runs": runs}


def test_each_target_is_a_share_of_the_bare_insert_rate():
    sqlite = _database(
        "sqlite",
        [
            # Other levels come first: only those at 50 applicants may count.
            _run("baseline", 9000.0, ["baseline insert POST"], level=10),
            _run("api", 900.0, ["API submit POST"], level=10),
            _run("journey", 90.0, JOURNEY_PAGES, level=10),
            _run("baseline", 700.0, ["baseline insert POST"]),
            _run("api", 140.0, ["API submit POST"]),
            _run("journey", 30.0, JOURNEY_PAGES),
        ],
    )
    header, _rule, inserts, journeys, goal, p95 = report.demands_table({"databases": [sqlite]})
    assert header == "| at 50 applicants, as shares of the bare insert's rate | SQLite |"
    assert inserts == "| bare inserts/s (the baseline) | 700/s |"
    # 11 requests a journey (the upload's POST replaces a step's): 660 asked, 330 made.
    assert journeys.endswith("| asks 660/s: 94 %; made 330/s: 47 % |")
    assert goal.endswith("| asks 200/s: 29 %; made 140/s: 20 % |")
    # 50 applicants waiting under 100 ms on average need more than 500 submits/s; at 140/s
    # each waits 357 ms.
    assert "Little's law" in p95
    assert p95.endswith("| asks 500/s: 71 %; made 140/s: 20 % (mean wait 357 ms) |")


def test_a_database_without_a_baseline_at_the_level_is_left_out():
    postgres = _database("postgres", [_run("baseline", 800.0, ["baseline insert POST"])])
    sqlite = _database(
        "sqlite",
        [_run("baseline", 0.0, ["baseline insert POST"]), _run("api", 100.0, [])],
    )
    lines = report.demands_table({"databases": [sqlite, postgres]})
    assert lines[0] == "| at 50 applicants, as shares of the bare insert's rate | PostgreSQL |"
    assert "| 60 journeys/s: their page requests | not measured |" in lines
    assert "| the submit rate goal (API) | asks 300/s: 38 % |" in lines
    assert report.demands_table({"databases": [sqlite]}) == []
