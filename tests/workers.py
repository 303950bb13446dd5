"""Parallel runs (pytest-xdist): which worker this is, the emulator ports it owns, and how work is handed out.

Ports: every worker gets a block of PORTS_PER_WORKER ports derived from the run's EMULATOR_PORT (the base): worker
gwN runs its session emulator on base + 1 + N * PORTS_PER_WORKER and may start private emulators (drills that stop
or share nothing with other tests) on the ports right after it. A serial run keeps the base for its session
emulator (reusing `make up`'s, as before) and the next ports for private ones. Blocks never overlap, so any base
works and no test binds a port another worker may use.

Scheduling: whole work units go to workers (a module, or the tests sharing one applied stack: see `work_units`), so
each stack is applied once; units go out slowest first (see `cost_rank`), so the OpenSearch domain's fixed
10-minute wait starts at once and overlaps everything else. `make test-local` runs `--dist loadscope`, which
the suite's scheduler below replaces.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from xdist.scheduler import LoadScopeScheduling

from tools import emulator
from tools.targets import DEFAULT_EMULATOR_PORT

UNITS_FILE = "work-units.json"
PORTS_PER_WORKER = 3  # the session emulator and two private ones at a time (a drill package and one module)
_taken: set[int] = set()


def worker_index() -> int | None:
    """0 for gw0, 1 for gw1, ...; None outside pytest-xdist (a serial run, or the controller)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else None


def session_port(base: int, index: int | None) -> int:
    return base if index is None else base + 1 + index * PORTS_PER_WORKER


def claim_session_port() -> None:
    """On a worker, point EMULATOR_PORT at the worker's own session emulator, for the fixtures and for every
    subprocess a test starts (`python -m tools`, `make`). A bad EMULATOR_PORT is left for the target fixture to
    report."""
    index = worker_index()
    raw = os.environ.get("EMULATOR_PORT", "").strip() or str(DEFAULT_EMULATOR_PORT)
    if index is not None and raw.isdigit():
        os.environ["EMULATOR_PORT"] = str(session_port(int(raw), index))


def owns_session_emulator() -> bool:
    """A worker's session emulator is the tests' alone: started clean and thrown away. A serial run's may be the
    user's `make up` emulator, holding their stack: it is reused and kept."""
    return worker_index() is not None


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], str]) -> str:
    """The text `make` returns, made once per run however many workers ask (the first makes it, the others wait
    for it): it is kept in the run's temporary directory, which the run's workers share."""
    root = tmp_path_factory.getbasetemp()
    if worker_index() is not None:
        root = root.parent  # <run>/popen-gwN -> <run>
    path = root / f"{name}.shared"
    with FileLock(root / f"{name}.lock"):
        if not path.exists():
            path.write_text(make())
        return path.read_text()


@contextmanager
def private_port() -> Iterator[int]:
    """A port of this worker's block for a private emulator, free until the block is given back."""
    base = int(os.environ.get("EMULATOR_PORT") or DEFAULT_EMULATOR_PORT)
    candidates = range(base + 1, base + PORTS_PER_WORKER)
    port = next((p for p in candidates if p not in _taken and not emulator.port_in_use(p)), None)
    if port is None:
        pytest.fail(f"no free port for a private emulator in {candidates.start}-{candidates.stop - 1}")
    _taken.add(port)
    try:
        yield port
    finally:
        _taken.discard(port)


@contextmanager
def private_emulator(start: bool = True) -> Iterator[emulator.MiniStack]:
    """A MiniStack of the caller's alone on a private port, with no state from an earlier run; stopped (if running)
    and wiped afterwards."""
    with private_port() as port:
        instance = emulator.MiniStack(port)
        shutil.rmtree(instance.home, ignore_errors=True)
        if start:
            instance.start(quiet=True)
        try:
            yield instance
        finally:
            instance.stop(quiet=True)
            shutil.rmtree(instance.home, ignore_errors=True)


def cost_rank(item: pytest.Item) -> int:
    """Slowest first: the OpenSearch domain (`slow`), then drills and applied stacks, then plans, then unit tests."""
    for rank, marker in enumerate(("slow", "drill", "integration", "plan")):
        if item.get_closest_marker(marker):
            return rank
    return 4


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _fixture_scopes(item: pytest.Item) -> dict[str, str]:
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return {name: defs[-1].scope for name, defs in definitions.items() if defs}


def work_units(items: list[pytest.Item]) -> dict[str, str]:
    """What one worker runs as a whole, by test id. A module whose tests share a package-scoped fixture (the drills'
    emulator and applied stack) joins its package's unit, so the stack is applied once; a module-scoped fixture with
    parameters (test_analytics' three stacks) gives one unit per parameter, so the stacks are applied side by side;
    any other module is one unit."""
    package_modules = {_module(i) for i in items if "package" in _fixture_scopes(i).values()}
    units = {}
    for item in items:
        module, scopes = _module(item), _fixture_scopes(item)
        callspec = getattr(item, "callspec", None)
        params = sorted(
            f"{n}{i}" for n, i in (callspec.indices.items() if callspec else ()) if scopes.get(n) == "module"
        )
        if module in package_modules:
            units[item.nodeid] = module.rsplit("/", 1)[0]
        elif params:
            units[item.nodeid] = f"{module.rsplit('/', 1)[-1]}[{','.join(params)}]"
        else:
            units[item.nodeid] = module
    return units


def plan_the_run(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Sort the collection slowest unit first (keeping the order within a rank) and, on a worker, leave the units of
    the tests that do not form a unit by module alone where the scheduler reads them: the run's temporary
    directory. (pytest-xdist's own xdist_group/loadgroup cannot carry them: it rewrites a private attribute that
    pytest 9 no longer reads the test id from.)"""
    units = work_units(items)
    rank: dict[str, int] = {}
    for item in items:
        rank[units[item.nodeid]] = min(rank.get(units[item.nodeid], 4), cost_rank(item))
    position = {unit: i for i, unit in enumerate(dict.fromkeys(units[item.nodeid] for item in items))}
    items.sort(key=lambda item: (rank[units[item.nodeid]], position[units[item.nodeid]]))
    if worker_index() is not None and config.option.basetemp:
        grouped = {item.nodeid: units[item.nodeid] for item in items if units[item.nodeid] != _module(item)}
        path = Path(config.option.basetemp).parent / UNITS_FILE  # <run>/popen-gwN -> <run>
        partial = path.with_name(f".{UNITS_FILE}.{os.getpid()}")
        partial.write_text(json.dumps(grouped))
        partial.replace(path)  # every worker writes the same map


class SlowestFirstScheduling(LoadScopeScheduling):
    """xdist's loadscope with the units `plan_the_run` chose (its map, else the module). Units go out in collection
    order (slowest first), a new one to each worker that is nearly done; loadscope's own reordering (most tests
    first, which put the unit tests ahead of the OpenSearch domain) is turned off."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)
        self._units: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._units is None:  # read once the workers have collected, i.e. written it
            path = self.config._tmp_path_factory.getbasetemp() / UNITS_FILE
            self._units = json.loads(path.read_text()) if path.exists() else {}
        return self._units.get(nodeid) or nodeid.split("::", 1)[0]
